package dev.parley.edge.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How each early frame ends. Sockets are plain lists of the frames they got, so a test reads what a
 * client would have seen, in order.
 */
class TentativeLedgerTest {

    private final TentativeLedger<List<String>> ledger = new TentativeLedger<>(3, 2);
    private final List<String> alice = new ArrayList<>();
    private final List<String> bob = new ArrayList<>();

    private boolean show(long offset, long seq, String frame, List<List<String>> to) {
        return ledger.show(offset, "c1", seq, "m" + seq, frame, to, () -> to.forEach(s -> s.add("early " + frame)));
    }

    @Test
    void shouldConfirmAnEarlyFrameWhoseCommittedCopyIsTheSame() {
        assertThat(show(10, 5, "A", List.of(alice, bob))).isTrue();

        TentativeLedger.Settlement<List<String>> s = ledger.committed(10, "c1", 5, "A", List.of(alice, bob));

        assertThat(s.confirm()).containsExactly(alice, bob);
        assertThat(s.deliver()).isEmpty();
        assertThat(s.retract()).isEmpty();
        assertThat(ledger.pending()).isZero();
        assertThat(ledger.passed(11)).as("settled: nothing left to retract").isEmpty();
    }

    @Test
    void shouldReplaceAnEarlyFrameWhenTheReplayCommittedAnotherMessageAtItsSeq() {
        show(10, 5, "A", List.of(alice));

        // A's transaction aborted; the replay (say, with a lower body cap) refused A and put B at seq 5
        TentativeLedger.Settlement<List<String>> s = ledger.committed(14, "c1", 5, "B", List.of(alice, bob));

        assertThat(s.confirm()).isEmpty();
        assertThat(s.deliver()).as("both get B; for alice it replaces A").containsExactly(alice, bob);
        assertThat(s.replaced()).isEqualTo(1);
        assertThat(ledger.passed(15))
                .as("A was settled by B, not retracted too")
                .isEmpty();
    }

    @Test
    void shouldRetractEarlyFramesOfAnAbortedTransactionOnceTheCommittedReaderPassesThem() {
        show(10, 5, "A", List.of(alice));
        show(11, 6, "B", List.of(alice, bob));
        show(20, 7, "C", List.of(bob));

        List<TentativeLedger.Retracted<List<String>>> retracted = ledger.passed(12);

        assertThat(retracted).extracting(TentativeLedger.Retracted::seq).containsExactly(5L, 6L);
        assertThat(retracted.get(1).shownTo()).containsExactly(alice, bob);
        assertThat(retracted.get(1).messageId()).isEqualTo("m6");
        assertThat(ledger.pending()).as("C, at 20, is still open").isEqualTo(1);
    }

    @Test
    void shouldRetractForASocketThatSawTheMessageEarlyButIsNoCommittedRecipient() {
        show(10, 5, "A", List.of(alice, bob));

        // the replay no longer lists bob (he left between the abort and the replay)
        TentativeLedger.Settlement<List<String>> s = ledger.committed(12, "c1", 5, "A", List.of(alice));

        assertThat(s.confirm()).containsExactly(alice);
        assertThat(s.retract()).containsExactly(bob);
    }

    @Test
    void shouldDeliverInFullToASocketThatSawNothingEarly() {
        show(10, 5, "A", List.of(alice));

        TentativeLedger.Settlement<List<String>> s = ledger.committed(10, "c1", 5, "A", List.of(alice, bob));

        assertThat(s.confirm()).containsExactly(alice);
        assertThat(s.deliver()).as("bob connected after the early frame").containsExactly(bob);
    }

    @Test
    void shouldNotShowEarlyWhatTheCommittedReaderAlreadyDelivered() {
        ledger.committed(10, "c1", 5, "A", List.of(alice));
        ledger.passed(12);

        assertThat(show(10, 5, "A", List.of(alice))).isFalse();
        assertThat(show(11, 6, "B", List.of(alice)))
                .as("offset 11 was passed too")
                .isFalse();
        assertThat(alice).as("no early frame after the committed one").isEmpty();
        assertThat(show(12, 7, "C", List.of(alice))).isTrue();
    }

    @Test
    void shouldShowNothingEarlyToMoreSocketsThanTheBound() {
        List<String> carol = new ArrayList<>();

        assertThat(show(10, 5, "A", List.of(alice, bob)))
                .as("two sockets: the bound")
                .isTrue();
        assertThat(show(11, 6, "B", List.of(alice, bob, carol)))
                .as("three: committed only")
                .isFalse();
        assertThat(carol).isEmpty();

        TentativeLedger.Settlement<List<String>> s = ledger.committed(11, "c1", 6, "B", List.of(alice, bob, carol));
        assertThat(s.deliver()).as("B reaches all three committed").containsExactly(alice, bob, carol);
    }

    @Test
    void shouldShowNothingEarlyPastTheBoundAndNotASecondMessageAtOneSeq() {
        assertThat(show(1, 1, "A", List.of(alice))).isTrue();
        assertThat(show(2, 2, "B", List.of(alice))).isTrue();
        assertThat(show(3, 3, "C", List.of(alice))).isTrue();
        assertThat(show(4, 4, "D", List.of(alice))).as("three wait: the bound").isFalse();
        ledger.committed(1, "c1", 1, "A", List.of(alice));
        assertThat(show(4, 4, "D", List.of(alice))).isTrue();

        // an aborted B at seq 2, then its replay at seq 2 read early before the committed reader passed 2
        assertThat(show(9, 2, "B2", List.of(alice)))
                .as("one early frame per (conversation, seq): the committed copy settles it")
                .isFalse();
        assertThat(alice).containsExactly("early A", "early B", "early C", "early D");
    }
}
