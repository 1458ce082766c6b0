package dev.parley.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.schema.CommandAccepted;
import dev.parley.schema.ConversationEvent;
import dev.parley.schema.Delivery;
import dev.parley.schema.MessagePosted;
import dev.parley.schema.SendMessage;
import dev.parley.schema.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.streams.TestOutputTopic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MessageSequencingTest {

    private final TopologyFixture f = new TopologyFixture();

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void shouldReturnOriginalSeqForRetriedClientMessageIdWithinWindow() {
        String conv = f.direct("alice", "bob");
        f.send(conv, "alice", "m-1", "hello");
        f.send(conv, "alice", "m-2", "again");
        f.events.readValuesToList();
        TestOutputTopic<String, Delivery> e1 = f.deliveries("e1");
        List<Delivery> before = e1.readValuesToList();
        MessagePosted original = (MessagePosted) before.stream()
                .map(Delivery::getPayload)
                .filter(p -> p instanceof ConversationEvent ev && ev.getSeq() == 1)
                .map(p -> ((ConversationEvent) p).getPayload())
                .findFirst()
                .orElseThrow();

        f.at(TopologyFixture.T0.plus(Duration.ofHours(23)));
        f.send(conv, "alice", "m-1", "hello");

        assertThat(f.events.isEmpty()).as("a retry writes no event").isTrue();
        Delivery ack = e1.readValue();
        assertThat(ack.getRecipients()).isEmpty();
        assertThat(ack.getOrigin()).isNotNull();
        CommandAccepted accepted = (CommandAccepted) ack.getPayload();
        assertThat(accepted.getSeq()).isEqualTo(1);
        assertThat(accepted.getDuplicate()).isTrue();
        assertThat(accepted.getMessageId()).isEqualTo(original.getMessageId());
    }

    @Test
    void shouldCarryTheSendersDisplayNameToTheEventAndOfflineNotifications() {
        String conv = f.direct("alice", "bob");
        f.events.readValuesToList();
        f.pipe(conv, "alice", new SendMessage("m-1", "hi", List.of(), null, "Alice Liddell", List.of(), List.of()));
        f.pipe(conv, "alice", new SendMessage("m-2", "hi", List.of(), null, "A".repeat(100), List.of(), List.of()));
        f.pipe(conv, "alice", new SendMessage("m-3", "hi", List.of(), null, "  ", List.of(), List.of()));

        List<String> names = f.events.readValuesToList().stream()
                .map(e -> ((MessagePosted) e.getPayload()).getSenderName())
                .toList();
        assertThat(names).containsExactly("Alice Liddell", "A".repeat(64), null);
        assertThat(f.notifications.readValuesToList())
                .extracting(n -> n.getSenderName())
                .containsExactly("Alice Liddell", "A".repeat(64), null);
    }

    @Test
    void shouldTreatRetryAfterDedupWindowAsNewMessage() {
        String conv = f.direct("alice", "bob");
        f.send(conv, "alice", "m-1", "hello");
        f.at(TopologyFixture.T0.plus(Duration.ofHours(25)));
        f.send(conv, "alice", "m-1", "hello");

        List<ConversationEvent> posted = messages(f.events.readValuesToList());
        assertThat(posted).extracting(ConversationEvent::getSeq).containsExactly(1L, 2L);
    }

    @Test
    void shouldDedupARetryStampedByAnEdgeClockHoursBehind() {
        // parley.commands.v1 carries the broker's time; this is a topic still on producer time, or
        // a broker clock that jumped back: the retry must find its original all the same
        String conv = f.direct("alice", "bob");
        f.send(conv, "alice", "m-1", "hello");
        f.events.readValuesToList();
        f.deliveries("e1").readValuesToList();

        f.at(TopologyFixture.T0.minus(Duration.ofHours(30)));
        f.send(conv, "alice", "m-1", "hello");

        assertThat(f.events.isEmpty()).as("a retry writes no event").isTrue();
        CommandAccepted ack = (CommandAccepted) f.deliveries("e1").readValue().getPayload();
        assertThat(ack.getSeq()).isEqualTo(1);
        assertThat(ack.getDuplicate()).isTrue();
    }

    @Test
    void shouldRememberASendStampedOlderThanTheWindowBehindThePartitionsClock() {
        // the window store silently drops a put older than its retention behind stream time: the
        // entry of such a send is filed under the partition's clock instead
        String conv = f.direct("alice", "bob");
        f.send(conv, "alice", "m-1", "on time");
        f.at(TopologyFixture.T0.minus(Duration.ofHours(30)));
        f.send(conv, "alice", "m-2", "from a skewed edge");
        f.send(conv, "alice", "m-2", "from a skewed edge");
        f.at(TopologyFixture.T0.plus(Duration.ofMinutes(5)));
        f.send(conv, "alice", "m-2", "from a skewed edge");

        assertThat(messages(f.events.readValuesToList()))
                .extracting(ConversationEvent::getSeq)
                .containsExactly(1L, 2L);
    }

    @Test
    void shouldDedupPerSenderNotAcrossSenders() {
        String conv = f.direct("alice", "bob");
        f.send(conv, "alice", "same-id", "from alice");
        f.send(conv, "bob", "same-id", "from bob");
        assertThat(messages(f.events.readValuesToList()))
                .extracting(ConversationEvent::getSeq)
                .containsExactly(1L, 2L);
    }

    @Test
    void shouldKeepSeqDenseAndIndependentAcrossInterleavedConversations() {
        String ab = f.direct("alice", "bob");
        String team = f.group("carol", "alice", "bob");
        for (int i = 0; i < 50; i++) {
            f.send(ab, "alice", "ab-" + i, "x");
            f.send(team, i % 2 == 0 ? "bob" : "carol", "t-" + i, "y");
            if (i % 7 == 0) {
                f.send(team, "mallory", "bad-" + i, "not a member");
            }
        }
        List<ConversationEvent> all = messages(f.events.readValuesToList());
        assertThat(all.stream().filter(e -> e.getConversationId().equals(ab)).map(ConversationEvent::getSeq))
                .containsExactlyElementsOf(range(1, 50));
        assertThat(all.stream().filter(e -> e.getConversationId().equals(team)).map(ConversationEvent::getSeq))
                .containsExactlyElementsOf(range(1, 50));
    }

    @Test
    void shouldTakeMessageIdsAndTimestampsFromTheInputRecord() {
        String conv = f.direct("alice", "bob");
        f.send(conv, "alice", "m-1", "hi");
        ConversationEvent event = messages(f.events.readValuesToList()).get(0);
        assertThat(event.getTs()).isEqualTo(f.now().minusMillis(1));
        long id = ((MessagePosted) event.getPayload()).getMessageId();
        assertThat(id).isEqualTo(event.getEventId()).isPositive();
        assertThat(dev.parley.topology.conversation.MessageIds.timestampOf(id))
                .isEqualTo(event.getTs().toEpochMilli());
    }

    @Test
    void shouldWriteByteIdenticalEventsWhenTheSameInputIsReplayed() {
        List<byte[]> first = runScript();
        List<byte[]> second = runScript();
        assertThat(first).hasSameSizeAs(second).hasSizeGreaterThan(5);
        for (int i = 0; i < first.size(); i++) {
            assertThat(Arrays.equals(first.get(i), second.get(i)))
                    .as("event %d", i)
                    .isTrue();
        }
    }

    private static List<byte[]> runScript() {
        try (TopologyFixture run = new TopologyFixture()) {
            String conv = run.group("alice", "bob", "carol");
            run.sessions.connect("bob", "e2");
            for (int i = 0; i < 5; i++) {
                run.send(conv, "alice", "m" + i, "body " + i);
            }
            run.remove(conv, "alice", "carol");
            run.receipt(conv, "bob", dev.parley.schema.ReceiptKind.READ, 3);
            var out = run.driver.createOutputTopic(
                    Topics.EVENTS.name(),
                    new org.apache.kafka.common.serialization.StringDeserializer(),
                    new org.apache.kafka.common.serialization.ByteArrayDeserializer());
            return out.readValuesToList();
        }
    }

    static List<ConversationEvent> messages(List<ConversationEvent> events) {
        return events.stream()
                .filter(e -> e.getPayload() instanceof MessagePosted)
                .toList();
    }

    private static List<Long> range(long from, long to) {
        List<Long> values = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            values.add(i);
        }
        return values;
    }
}
