package dev.parley.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.schema.ConversationEvent;
import dev.parley.schema.Delivery;
import dev.parley.schema.ReactionChanged;
import dev.parley.schema.ReactionOp;
import dev.parley.schema.ReceiptAdvanced;
import dev.parley.schema.ReceiptKind;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.TestOutputTopic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ReceiptsAndReactionsTest {

    private final TopologyFixture f = new TopologyFixture();

    @AfterEach
    void close() {
        f.close();
    }

    private List<ReceiptAdvanced> receipts() {
        return f.events.readValuesToList().stream()
                .map(ConversationEvent::getPayload)
                .filter(p -> p instanceof ReceiptAdvanced)
                .map(p -> (ReceiptAdvanced) p)
                .toList();
    }

    private String conversationWithMessages(int count) {
        String conv = f.group("alice", "bob");
        for (int i = 0; i < count; i++) {
            f.send(conv, "alice", "m" + i, "msg " + i);
        }
        f.events.readValuesToList();
        return conv;
    }

    @Test
    void shouldNeverMoveReceiptsBackwards() {
        String conv = conversationWithMessages(10);
        f.receipt(conv, "bob", ReceiptKind.DELIVERED, 5);
        f.receipt(conv, "bob", ReceiptKind.DELIVERED, 3);
        f.receipt(conv, "bob", ReceiptKind.READ, 4);
        f.receipt(conv, "bob", ReceiptKind.READ, 2);
        f.receipt(conv, "bob", ReceiptKind.DELIVERED, 8);

        List<ReceiptAdvanced> moved = receipts();
        assertThat(moved).extracting(ReceiptAdvanced::getDelivered).containsExactly(5L, 5L, 8L);
        assertThat(moved).extracting(ReceiptAdvanced::getRead).containsExactly(0L, 4L, 4L);
    }

    @Test
    void shouldTreatReadAsDeliveredAndClampToLastSeq() {
        String conv = conversationWithMessages(3);
        f.receipt(conv, "bob", ReceiptKind.READ, 99);
        ReceiptAdvanced r = receipts().get(0);
        assertThat(r.getRead()).isEqualTo(3);
        assertThat(r.getDelivered()).isEqualTo(3);
        f.receipt(conv, "bob", ReceiptKind.READ, 3);
        assertThat(receipts()).as("no event when nothing moves").isEmpty();
    }

    @Test
    void shouldPublishAReadMarkerKeyedByReaderOnlyWhenTheReadWatermarkMoves() {
        String conv = conversationWithMessages(5);
        f.receipt(conv, "bob", ReceiptKind.DELIVERED, 4);
        f.receipt(conv, "bob", ReceiptKind.READ, 3);
        f.receipt(conv, "bob", ReceiptKind.READ, 2);
        f.receipt(conv, "bob", ReceiptKind.READ, 5);

        var markers = f.readMarkers.readKeyValuesToList();
        assertThat(markers).extracting(kv -> kv.key).containsExactly("bob", "bob");
        assertThat(markers).extracting(kv -> kv.value.getReadSeq()).containsExactly(3L, 5L);
        assertThat(markers)
                .allSatisfy(kv -> assertThat(kv.value.getConversationId()).isEqualTo(conv));
    }

    @Test
    void shouldSendReceiptsOnlyToTheReaderInLargeGroups() {
        List<String> members = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            members.add("m" + i);
        }
        f.pipe(
                "g_large",
                "alice",
                new dev.parley.schema.CreateConversation(
                        dev.parley.schema.ConversationType.GROUP, null, members, null, null));
        f.send("g_large", "alice", "x", "hi");
        f.sessions.connect("alice", "e2");
        f.sessions.connect("m1", "e3");
        TestOutputTopic<String, Delivery> e2 = f.deliveries("e2");
        TestOutputTopic<String, Delivery> e3 = f.deliveries("e3");
        f.receipt("g_large", "m1", ReceiptKind.READ, 1);
        assertThat(e2.isEmpty()).as("alice is not told in a 41-member group").isTrue();
        assertThat(e3.readValue().getRecipients()).containsExactly("m1");
    }

    @Test
    void shouldSendReceiptsToEveryMemberInSmallGroups() {
        String conv = conversationWithMessages(1);
        f.sessions.connect("alice", "e2");
        TestOutputTopic<String, Delivery> e2 = f.deliveries("e2");
        f.receipt(conv, "bob", ReceiptKind.READ, 1);
        assertThat(e2.readValue().getPayload()).isInstanceOf(ConversationEvent.class);
    }

    @Test
    void shouldApplyReactionsIdempotently() {
        String conv = conversationWithMessages(2);
        f.react(conv, "bob", 1, "👍", ReactionOp.ADD);
        f.react(conv, "bob", 1, "👍", ReactionOp.ADD);
        f.react(conv, "bob", 1, "🎉", ReactionOp.ADD);
        f.react(conv, "bob", 1, "👍", ReactionOp.REMOVE);
        f.react(conv, "bob", 1, "👍", ReactionOp.REMOVE);
        f.react(conv, "bob", 2, "👍", ReactionOp.REMOVE);

        List<ReactionChanged> changes = f.events.readValuesToList().stream()
                .map(ConversationEvent::getPayload)
                .map(p -> (ReactionChanged) p)
                .toList();
        assertThat(changes)
                .extracting(c -> c.getTargetSeq() + c.getEmoji() + c.getOp())
                .containsExactly("1👍ADD", "1🎉ADD", "1👍REMOVE");
    }

    @Test
    void shouldRejectReactionToMessageThatDoesNotExist() {
        String conv = conversationWithMessages(1);
        TestOutputTopic<String, Delivery> e1 = f.deliveries("e1");
        e1.readValuesToList();
        f.react(conv, "bob", 5, "👍", ReactionOp.ADD);
        assertThat(f.events.isEmpty()).isTrue();
        assertThat(((dev.parley.schema.CommandRejected) e1.readValue().getPayload()).getCode())
                .isEqualTo("bad_request");
    }
}
