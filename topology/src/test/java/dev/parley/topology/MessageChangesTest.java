package dev.parley.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.schema.Command;
import dev.parley.schema.CommandAccepted;
import dev.parley.schema.CommandRejected;
import dev.parley.schema.ConversationEvent;
import dev.parley.schema.DeleteMessage;
import dev.parley.schema.Delivery;
import dev.parley.schema.EditMessage;
import dev.parley.schema.MessageDeleted;
import dev.parley.schema.MessageEdited;
import dev.parley.schema.MessagePosted;
import dev.parley.schema.ReactionOp;
import dev.parley.schema.RetentionChanged;
import dev.parley.schema.SetRetention;
import dev.parley.schema.UpdateConversation;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.streams.TestOutputTopic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Edit, delete for everyone, the change counter and disappearing messages, through the production topology. */
class MessageChangesTest {

    private static final Duration DAY = Duration.ofHours(24);

    private final TopologyFixture f = new TopologyFixture(new TopologyConfig(
            DAY, 1024, 100, 32, 120, DAY, Duration.ofHours(48), TopologyConfig.DEFAULT_MIN_RETENTION_SECONDS));
    private final TestOutputTopic<String, Delivery> e1 = f.deliveries("e1");
    private final TestOutputTopic<String, Delivery> e2 = f.deliveries("e2");

    @AfterEach
    void close() {
        f.close();
    }

    private void as(String user, String conv, String clientId, Object payload) {
        f.pipe(conv, TopologyFixture.command(conv, user, "e1", clientId, payload));
    }

    private void edit(String user, String conv, String clientId, long seq, String body) {
        as(user, conv, clientId, new EditMessage(clientId, seq, body));
    }

    private void delete(String user, String conv, String clientId, long seq) {
        as(user, conv, clientId, new DeleteMessage(clientId, seq));
    }

    /** A group of alice (admin), bob and carol with {@code count} messages from bob, outputs drained. */
    private String groupWithMessagesFromBob(int count) {
        String conv = f.group("alice", "bob", "carol");
        for (int i = 1; i <= count; i++) {
            f.send(conv, "bob", "m" + i, "message " + i);
        }
        drain();
        return conv;
    }

    private void drain() {
        f.events.readValuesToList();
        e1.readValuesToList();
        e2.readValuesToList();
    }

    private String rejection() {
        assertThat(f.events.isEmpty()).as("a rejection writes no event").isTrue();
        List<Delivery> out = e1.readValuesToList();
        assertThat(out).hasSize(1);
        assertThat(out.get(0).getRecipients()).isEmpty();
        return ((CommandRejected) out.get(0).getPayload()).getCode();
    }

    private ConversationEvent onlyEvent() {
        List<ConversationEvent> events = f.events.readValuesToList();
        assertThat(events).hasSize(1);
        e1.readValuesToList(); // the origin's answer
        return events.get(0);
    }

    @Test
    void shouldEditOwnMessageWithoutTakingASeqAndTellEveryMemberIncludingTheSendersOtherDevices() {
        f.sessions.connect("alice", "e2");
        f.sessions.connect("bob", "e2");
        f.sessions.connect("carol", "e2");
        String conv = groupWithMessagesFromBob(2);

        edit("bob", conv, "e-1", 1, "message one, fixed");

        Delivery toOrigin = e1.readValuesToList().get(0);
        assertThat(toOrigin.getOrigin().getClientId()).isEqualTo("e-1");
        ConversationEvent event = onlyEvent();
        assertThat(event.getPayload()).isEqualTo(new MessageEdited(1L, "message one, fixed", null));
        assertThat(event.getSeq()).as("the last message seq, not a new one").isEqualTo(2);
        assertThat(event.getVersion()).isEqualTo(1);
        assertThat(event.getActor()).isEqualTo("bob");
        List<Delivery> members = e2.readValuesToList();
        assertThat(members).hasSize(1);
        assertThat(members.get(0).getRecipients()).containsExactlyInAnyOrder("alice", "bob", "carol");
        assertThat(f.notifications.isEmpty()).as("an edit pushes nothing").isTrue();

        f.send(conv, "bob", "m3", "third");
        ConversationEvent next = onlyEvent();
        assertThat(next.getSeq()).as("seq stays dense").isEqualTo(3);
        assertThat(next.getVersion())
                .as("a post carries the counter but does not move it")
                .isEqualTo(1);
    }

    @Test
    void shouldRefuseEditingSomeoneElsesMessageWithForbidden() {
        String conv = groupWithMessagesFromBob(1);
        edit("alice", conv, "e-1", 1, "not yours");
        assertThat(rejection()).isEqualTo("forbidden");
    }

    @Test
    void shouldRefuseAnEditAfterTheWindowWithEditWindowClosed() {
        String conv = groupWithMessagesFromBob(1);
        f.at(f.now().plus(DAY).plusMillis(1));
        edit("bob", conv, "e-1", 1, "too late");
        assertThat(rejection()).isEqualTo("edit_window_closed");
    }

    @Test
    void shouldAcceptAnEditAtTheEdgeOfTheWindow() {
        String conv = groupWithMessagesFromBob(1);
        f.at(f.now().plus(DAY).minusMillis(2)); // the send was stamped a tick before now
        edit("bob", conv, "e-1", 1, "just in time");
        assertThat(onlyEvent().getPayload()).isInstanceOf(MessageEdited.class);
    }

    @Test
    void shouldAnswerNotFoundForASeqBeyondTheLastAndNotMemberForStrangers() {
        String conv = groupWithMessagesFromBob(2);
        edit("bob", conv, "e-1", 3, "no such");
        assertThat(rejection()).isEqualTo("not_found");
        delete("bob", conv, "d-1", 3);
        assertThat(rejection()).isEqualTo("not_found");
        edit("mallory", conv, "e-2", 1, "hi");
        assertThat(rejection()).isEqualTo("not_member");
        delete("mallory", conv, "d-2", 1);
        assertThat(rejection()).isEqualTo("not_member");
    }

    @Test
    void shouldRefuseEmptyAndOversizedBodies() {
        String conv = groupWithMessagesFromBob(1);
        edit("bob", conv, "e-1", 1, "  ");
        assertThat(rejection()).isEqualTo("bad_request");
        edit("bob", conv, "e-2", 1, "x".repeat(101));
        assertThat(rejection()).isEqualTo("too_large");
        edit("bob", conv, "e-3", 1, "x".repeat(100));
        assertThat(onlyEvent().getVersion())
                .as("nothing counted for the refusals")
                .isEqualTo(1);
    }

    @Test
    void shouldDeleteForEveryoneOnceAndAnswerGoneAfterwards() {
        String conv = groupWithMessagesFromBob(2);
        f.notifications.readValuesToList();
        delete("bob", conv, "d-1", 2);
        ConversationEvent deleted = onlyEvent();
        assertThat(deleted.getPayload()).isEqualTo(new MessageDeleted(2L, "bob", null));
        assertThat(f.notifications.readValuesToList())
                .as("every other member hears of it, so a push held for it never shows its text")
                .extracting(n -> n.getUserId() + ":" + n.getSeq() + ":" + n.getRetracted() + ":" + n.getPreview())
                .containsExactlyInAnyOrder("alice:2:true:null", "carol:2:true:null");
        assertThat(deleted.getSeq()).isEqualTo(2);
        assertThat(deleted.getVersion()).isEqualTo(1);

        delete("bob", conv, "d-2", 2);
        assertThat(rejection()).isEqualTo("gone");
        edit("bob", conv, "e-1", 2, "edit a deleted one");
        assertThat(rejection()).isEqualTo("gone");
        delete("alice", conv, "d-3", 2);
        assertThat(rejection()).as("an admin too").isEqualTo("gone");
    }

    @Test
    void shouldLetTheSenderDeleteWithinTheWindowAndAnAdminAnyTime() {
        String conv = groupWithMessagesFromBob(3);
        delete("carol", conv, "d-1", 1);
        assertThat(rejection()).as("another member").isEqualTo("forbidden");

        f.at(f.now().plus(Duration.ofHours(48)).plusMillis(1));
        delete("bob", conv, "d-2", 1);
        assertThat(rejection()).as("the sender after the window").isEqualTo("forbidden");
        delete("alice", conv, "d-3", 1);
        assertThat(onlyEvent().getPayload())
                .as("the index keeps the longer window only: past it the sender is no longer known")
                .isEqualTo(new MessageDeleted(1L, null, null));

        f.at(f.now().plus(Duration.ofDays(30)));
        delete("alice", conv, "d-4", 2);
        assertThat(onlyEvent().getPayload()).isEqualTo(new MessageDeleted(2L, null, null));
        delete("bob", conv, "d-5", 3);
        assertThat(rejection()).isEqualTo("forbidden");
        edit("bob", conv, "e-1", 3, "a month later");
        assertThat(rejection()).isEqualTo("edit_window_closed");
    }

    @Test
    void shouldNotLetAdminsDeleteOthersMessagesInDirectConversations() {
        String conv = f.direct("alice", "bob");
        f.send(conv, "bob", "m1", "hi");
        drain();
        delete("alice", conv, "d-1", 1);
        assertThat(rejection()).isEqualTo("forbidden");
    }

    @Test
    void shouldAnswerARetryWithTheOriginalAckAndNoSecondEvent() {
        String conv = groupWithMessagesFromBob(1);
        edit("bob", conv, "e-1", 1, "fixed");
        assertThat(onlyEvent().getVersion()).isEqualTo(1);
        e1.readValuesToList();
        f.react(conv, "carol", 1, "👍", ReactionOp.ADD);
        drain();

        edit("bob", conv, "e-1", 1, "fixed");
        assertThat(f.events.isEmpty()).isTrue();
        CommandAccepted ack = (CommandAccepted) e1.readValuesToList().get(0).getPayload();
        assertThat(ack.getDuplicate()).isTrue();
        assertThat(ack.getVersion())
                .as("the original version, not the current one")
                .isEqualTo(1);

        delete("bob", conv, "d-1", 1);
        drain();
        delete("bob", conv, "d-1", 1);
        assertThat(f.events.isEmpty()).isTrue();
        CommandAccepted deleteAck =
                (CommandAccepted) e1.readValuesToList().get(0).getPayload();
        assertThat(deleteAck.getDuplicate()).as("a retried delete is not gone").isTrue();
        assertThat(deleteAck.getVersion()).isEqualTo(3);
    }

    @Test
    void shouldCountEveryChangeDenselyAndNothingElse() {
        String conv = groupWithMessagesFromBob(2);
        f.react(conv, "alice", 1, "👍", ReactionOp.ADD);
        f.react(conv, "alice", 1, "👍", ReactionOp.ADD); // a no-op: no event, no count
        edit("bob", conv, "e-1", 2, "edited");
        f.receipt(conv, "carol", dev.parley.schema.ReceiptKind.READ, 2); // not a change
        f.add(conv, "alice", "dave");
        f.pipe(conv, "alice", new UpdateConversation("renamed", List.of(), List.of()));
        delete("bob", conv, "d-1", 1);
        as("alice", conv, "r-1", new SetRetention(3600L));
        f.send(conv, "bob", "m3", "three");

        List<ConversationEvent> events = f.events.readValuesToList();
        assertThat(events).extracting(ConversationEvent::getVersion).containsExactly(1L, 2L, 2L, 3L, 4L, 5L, 6L, 6L);
    }

    @Test
    void shouldSetRetentionWithinBoundsByAdminsOrEitherDirectMember() {
        String conv = groupWithMessagesFromBob(0);
        as("bob", conv, "r-1", new SetRetention(3600L));
        assertThat(rejection()).isEqualTo("forbidden");
        as("alice", conv, "r-2", new SetRetention(59L));
        assertThat(rejection()).isEqualTo("bad_request");
        as("alice", conv, "r-3", new SetRetention(TopologyConfig.MAX_RETENTION_SECONDS + 1));
        assertThat(rejection()).isEqualTo("bad_request");
        as("mallory", conv, "r-4", new SetRetention(60L));
        assertThat(rejection()).isEqualTo("not_member");
        as("alice", conv, "r-5", new SetRetention(TopologyConfig.MAX_RETENTION_SECONDS));
        assertThat(onlyEvent().getPayload()).isEqualTo(new RetentionChanged(TopologyConfig.MAX_RETENTION_SECONDS));
        e1.readValuesToList();
        as("alice", conv, "r-6", new SetRetention(60L));
        assertThat(onlyEvent().getPayload()).isEqualTo(new RetentionChanged(60L));
        e1.readValuesToList();

        String direct = f.direct("alice", "bob");
        drain();
        as("bob", direct, "r-7", new SetRetention(null));
        assertThat(f.events.isEmpty())
                .as("already off: acknowledged, nothing changes")
                .isTrue();
        as("bob", direct, "r-8", new SetRetention(120L));
        assertThat(onlyEvent().getPayload()).isEqualTo(new RetentionChanged(120L));
    }

    @Test
    void shouldStampPostsWithTheRetentionAndAnswerGoneOnceTheyExpired() {
        String conv = groupWithMessagesFromBob(1);
        as("alice", conv, "r-1", new SetRetention(60L));
        f.send(conv, "bob", "m2", "disappears");
        List<ConversationEvent> events = f.events.readValuesToList();
        assertThat(((MessagePosted) events.get(1).getPayload()).getRetentionSeconds())
                .isEqualTo(60L);
        assertThat(((MessagePosted) events.get(1).getPayload()).getClientMsgId())
                .isEqualTo("m2");
        e1.readValuesToList();

        f.react(conv, "carol", 2, "👍", ReactionOp.ADD);
        ConversationEvent reaction = onlyEvent();
        long posted = events.get(1).getTs().toEpochMilli();
        assertThat(((dev.parley.schema.ReactionChanged) reaction.getPayload()).getExpiresAt())
                .as("a reaction disappears with its message")
                .isEqualTo(posted + 60_000);
        edit("bob", conv, "e-0", 2, "still here");
        assertThat(((MessageEdited) onlyEvent().getPayload()).getExpiresAt()).isEqualTo(posted + 60_000);

        f.at(f.now().plusSeconds(60));
        edit("bob", conv, "e-1", 2, "too late");
        assertThat(rejection()).isEqualTo("gone");
        delete("alice", conv, "d-1", 2);
        assertThat(rejection()).isEqualTo("gone");
        edit("bob", conv, "e-2", 1, "posted before the retention: kept");
        assertThat(onlyEvent().getPayload()).isInstanceOf(MessageEdited.class);
    }

    @Test
    void shouldRefuseAMissingClientId() {
        String conv = groupWithMessagesFromBob(1);
        f.pipe(
                conv,
                new Command(
                        conv, "bob", new dev.parley.schema.Origin("e1", "conn", null), new EditMessage("", 1L, "x")));
        assertThat(rejection()).isEqualTo("bad_request");
    }
}
