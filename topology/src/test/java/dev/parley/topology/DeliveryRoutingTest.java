package dev.parley.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.schema.CommandAccepted;
import dev.parley.schema.ConversationEvent;
import dev.parley.schema.ConversationIds;
import dev.parley.schema.ConversationType;
import dev.parley.schema.CreateConversation;
import dev.parley.schema.Delivery;
import dev.parley.schema.MessagePosted;
import dev.parley.schema.Notification;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.streams.TestOutputTopic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DeliveryRoutingTest {

    private final TopologyFixture f = new TopologyFixture();

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void shouldAnswerARepeatedCreateOfTheLargestGroupWithEveryMemberInOneRecord() {
        // 1,024 members (max.group.members) with ids of the edge's limit, 128 characters
        String creator = "c".repeat(128);
        List<String> members = new ArrayList<>();
        for (int i = 1; i < 1024; i++) {
            String id = "u" + i + "-";
            members.add(id + "x".repeat(128 - id.length()));
        }
        String id = ConversationIds.group(creator, "create-1");
        CreateConversation create = new CreateConversation(ConversationType.GROUP, "big", members, null, null);
        TestOutputTopic<String, Delivery> e1 = f.deliveries("e1");
        f.pipe(id, creator, create);
        f.events.readValuesToList();
        e1.readValuesToList();

        f.pipe(id, creator, create);
        Delivery answer = e1.readValuesToList().get(0);
        CommandAccepted ack = (CommandAccepted) answer.getPayload();
        assertThat(ack.getConversation().getMembers())
                .hasSize(1024)
                .contains(creator)
                .containsAll(members);
        assertThat(ack.getConversation().getAdmins()).containsExactly(creator);
        assertThat(f.serdes.delivery().serialize("d", answer).length)
                .as("within the producer's max.request.size (1 MiB) with room to spare")
                .isLessThan(200_000);
    }

    @Test
    void shouldWriteOneDeliveryPerEdgeForA1024MemberGroupOn10Edges() {
        List<String> members = new ArrayList<>();
        for (int i = 1; i < 1024; i++) {
            members.add("u" + i);
        }
        f.pipe("g_big", "u0", new CreateConversation(ConversationType.GROUP, "big", members, null, null));
        for (int i = 0; i < 1024; i++) {
            f.sessions.connect("u" + i, "edge" + (i % 10));
        }
        List<TestOutputTopic<String, Delivery>> edges = new ArrayList<>();
        for (int e = 0; e < 10; e++) {
            TestOutputTopic<String, Delivery> topic = f.deliveries("edge" + e);
            topic.readValuesToList();
            edges.add(topic);
        }
        f.pipe(
                "g_big",
                TopologyFixture.command(
                        "g_big",
                        "u0",
                        "edge0",
                        "c1",
                        new dev.parley.schema.SendMessage(
                                "m1", "hello all", List.of(), null, null, List.of(), List.of())));

        Set<String> reached = new HashSet<>();
        int records = 0;
        for (int e = 0; e < 10; e++) {
            List<Delivery> out = edges.get(e).readValuesToList();
            assertThat(out).as("edge%d", e).hasSize(1);
            records += out.size();
            reached.addAll(out.get(0).getRecipients());
            assertThat(out.get(0).getOrigin() != null)
                    .as("origin only on the origin edge")
                    .isEqualTo(e == 0);
        }
        assertThat(records).isEqualTo(10);
        assertThat(reached).hasSize(1024);
        assertThat(f.notifications.isEmpty()).as("everyone is online").isTrue();
    }

    @Test
    void shouldAnswerOriginEdgeEvenWhenSenderHasNoSocket() {
        String conv = f.direct("alice", "bob");
        f.sessions.connect("bob", "e2");
        TestOutputTopic<String, Delivery> e1 = f.deliveries("e1");
        TestOutputTopic<String, Delivery> e2 = f.deliveries("e2");
        e1.readValuesToList();
        f.send(conv, "alice", "m1", "sent over HTTP");

        Delivery ack = e1.readValue();
        assertThat(ack.getRecipients()).isEmpty();
        assertThat(ack.getOrigin().getClientId()).isNotNull();
        assertThat(((ConversationEvent) ack.getPayload()).getSeq()).isEqualTo(1);
        Delivery toBob = e2.readValue();
        assertThat(toBob.getRecipients()).containsExactly("bob");
        assertThat(toBob.getOrigin()).isNull();
    }

    @Test
    void shouldNotifyOfflineRecipientsButNeverTheSender() {
        String conv = f.group("alice", "bob", "carol");
        f.sessions.connect("carol", "e2");
        f.send(conv, "alice", "m1", "are you there?");

        List<Notification> sent = f.notifications.readValuesToList();
        assertThat(sent).extracting(Notification::getUserId).containsExactly("bob");
        Notification n = sent.get(0);
        assertThat(n.getSender()).isEqualTo("alice");
        assertThat(n.getSeq()).isEqualTo(1);
        assertThat(n.getPreview()).isEqualTo("are you there?");
        assertThat(n.getConversationType()).isEqualTo(ConversationType.GROUP);
        assertThat(n.getConversationName()).isEqualTo("team");
    }

    @Test
    void shouldKeyNotificationsByUserAndTruncatePreview() {
        String conv = f.direct("alice", "bob");
        f.send(conv, "alice", "m1", "x".repeat(500));
        var record = f.notifications.readRecord();
        assertThat(record.key()).isEqualTo("bob");
        assertThat(record.value().getPreview()).hasSize(121).endsWith("…");
    }

    @Test
    void shouldDeliverToEveryKnownLiveEdgeAndNotifyEveryoneWhenSessionsCannotBeLookedUp() {
        String conv = f.group("alice", "bob", "carol");
        f.sessions.connect("bob", "e2");
        f.sessions.connect("carol", "e3");
        f.sessions.knownLive("e2", "e3");
        f.sessions.unreachable(true);
        TestOutputTopic<String, Delivery> e1 = f.deliveries("e1");
        TestOutputTopic<String, Delivery> e2 = f.deliveries("e2");
        TestOutputTopic<String, Delivery> e3 = f.deliveries("e3");
        e1.readValuesToList();
        e2.readValuesToList();
        e3.readValuesToList();
        f.send(conv, "alice", "m1", "hello");

        for (TestOutputTopic<String, Delivery> edge : List.of(e2, e3)) {
            Delivery d = edge.readValue();
            assertThat(d.getRecipients())
                    .as("every member: the edge drops those it has no socket for")
                    .containsExactly("alice", "bob", "carol");
            assertThat(d.getOrigin()).isNull();
            assertThat(((ConversationEvent) d.getPayload()).getSeq()).isEqualTo(1);
        }
        Delivery toOrigin = e1.readValue();
        assertThat(toOrigin.getOrigin())
                .as("the origin edge, known or not, gets the answer")
                .isNotNull();
        assertThat(toOrigin.getRecipients()).containsExactly("alice", "bob", "carol");
        assertThat(f.notifications.readValuesToList())
                .as("nobody is known to be online: everyone but the sender is notified")
                .extracting(Notification::getUserId)
                .containsExactlyInAnyOrder("bob", "carol");
        assertThat(MessageSequencingTest.messages(f.events.readValuesToList())).hasSize(1);
    }

    @Test
    void shouldStillAnswerTheOriginWhenNoEdgeIsKnownAndSessionsCannotBeLookedUp() {
        String conv = f.direct("alice", "bob");
        f.sessions.unreachable(true);
        TestOutputTopic<String, Delivery> e1 = f.deliveries("e1");
        e1.readValuesToList();
        f.send(conv, "alice", "m1", "anyone?");
        Delivery ack = e1.readValue();
        assertThat(ack.getOrigin().getClientId()).isNotNull();
        assertThat(f.notifications.readValuesToList())
                .extracting(Notification::getUserId)
                .containsExactly("bob");
    }

    @Test
    void shouldDeliverToEveryDeviceOfTheSenderIncludingOtherEdges() {
        String conv = f.direct("alice", "bob");
        f.sessions.connect("alice", "e1");
        f.sessions.connect("alice", "e3");
        TestOutputTopic<String, Delivery> e3 = f.deliveries("e3");
        f.send(conv, "alice", "m1", "sync me");
        Delivery other = e3.readValue();
        assertThat(other.getRecipients()).containsExactly("alice");
        assertThat(((MessagePosted) ((ConversationEvent) other.getPayload()).getPayload()).getBody())
                .isEqualTo("sync me");
    }

    @Test
    void shouldSkipTheAckWhenNobodyWaitsForIt() {
        String conv = f.direct("alice", "bob");
        TestOutputTopic<String, Delivery> e1 = f.deliveries("e1");
        f.send(conv, "alice", "m1", "hi");
        e1.readValuesToList();
        f.pipe(
                conv,
                new dev.parley.schema.Command(
                        conv,
                        "bob",
                        new dev.parley.schema.Origin("e1", null, null),
                        new dev.parley.schema.MarkReceipt(dev.parley.schema.ReceiptKind.DELIVERED, 1L)));
        assertThat(e1.isEmpty())
                .as("coalesced acks from an edge need no answer")
                .isTrue();
        assertThat(f.events.readValuesToList()).isNotEmpty();
    }

    @Test
    void shouldAckDuplicateWithoutTouchingRecipients() {
        String conv = f.direct("alice", "bob");
        f.sessions.connect("bob", "e2");
        TestOutputTopic<String, Delivery> e2 = f.deliveries("e2");
        f.send(conv, "alice", "m1", "hi");
        e2.readValuesToList();
        int lookups = f.sessions.lookups();
        TestOutputTopic<String, Delivery> e1 = f.deliveries("e1");
        e1.readValuesToList();
        f.send(conv, "alice", "m1", "hi");
        assertThat(e2.isEmpty()).isTrue();
        assertThat(((CommandAccepted) e1.readValue().getPayload()).getDuplicate())
                .isTrue();
        assertThat(f.sessions.lookups()).as("an ack needs no session lookup").isEqualTo(lookups);
    }
}
