package dev.parley.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.schema.ParleySerdes;
import dev.parley.schema.SendMessage;
import dev.parley.schema.Topics;
import dev.parley.topology.notification.NotificationTopology;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

class TopologyShapeTest {

    private static final Path SNAPSHOT = Path.of("src/test/resources/topology-describe.txt");
    private static final Path SIGNAL_SNAPSHOT = Path.of("src/test/resources/topology-describe-signals.txt");
    private static final Path NOTIFICATION_SNAPSHOT = Path.of("src/test/resources/topology-describe-notifications.txt");

    /**
     * Node and store names are deployed state: a rename orphans a changelog. Regenerate the snapshot
     * only on purpose, with -Dparley.updateSnapshot=true, and say so in the release notes.
     */
    @Test
    void shouldKeepTheDescribedTopologyStable() throws IOException {
        String described = matchSnapshot(
                ConversationTopology.build(
                        TopologyConfig.defaults(), new ParleySerdes(), new InMemorySessionDirectory()),
                SNAPSHOT);
        assertThat(described).contains("conversation-meta", "conversation-seq", "dedup", "receipts", "reactions");
    }

    /** The same for NotificationTopology; v3 added the pending-pushes-due store (and its changelog). */
    @Test
    void shouldKeepTheDescribedNotificationTopologyStable() throws IOException {
        String described = matchSnapshot(
                NotificationTopology.build(
                        NotificationTopology.DEFAULT_MIN_INTERVAL,
                        Duration.ofSeconds(1),
                        NotificationTopology.DEFAULT_MAX_PER_PUNCTUATION,
                        new ParleySerdes()),
                NOTIFICATION_SNAPSHOT);
        assertThat(described).contains("devices", "pending-pushes", "pending-pushes-due");
    }

    /** SignalTopology (issue #20): its store is restored from ConversationTopology's membership changelog. */
    @Test
    void shouldKeepTheDescribedSignalTopologyStable() throws IOException {
        String described = matchSnapshot(
                dev.parley.topology.signal.SignalTopology.build(
                        "parley-conversations", new ParleySerdes(), new InMemorySessionDirectory()),
                SIGNAL_SNAPSHOT);
        assertThat(described).contains("signal-members", "parley-conversations-conversation-meta-changelog");
    }

    private static String matchSnapshot(Topology topology, Path snapshot) throws IOException {
        String described = topology.describe().toString().replaceAll("@[0-9a-f]+", "@LAMBDA");
        if (Boolean.getBoolean("parley.updateSnapshot")) {
            Files.writeString(snapshot, described);
        }
        assertThat(described).isEqualTo(Files.readString(snapshot));
        return described;
    }

    @Test
    void shouldDeadLetterCorruptRecordsAndKeepProcessing() {
        try (TopologyFixture f = new TopologyFixture()) {
            String conv = f.direct("alice", "bob");
            f.commands.pipeInput(new TestRecord<>(conv, "not avro".getBytes(StandardCharsets.UTF_8)));
            byte[] wrongKey = f.serdes
                    .command()
                    .serialize(
                            "t",
                            TopologyFixture.command(
                                    conv,
                                    "alice",
                                    "e1",
                                    "x",
                                    new SendMessage("m0", "hi", List.of(), null, null, List.of(), List.of())));
            f.commands.pipeInput("some-other-key", wrongKey);
            f.commands.pipeInput(conv, (byte[]) null);
            f.send(conv, "alice", "m1", "still working");

            var dead = f.deadLetters.readRecordsToList();
            assertThat(dead).hasSize(3);
            assertThat(new String(dead.get(0).value(), StandardCharsets.UTF_8)).isEqualTo("not avro");
            assertThat(header(dead.get(0), DeadLetters.HEADER_TOPIC)).isEqualTo(Topics.COMMANDS.name());
            assertThat(header(dead.get(0), DeadLetters.HEADER_ERROR)).contains("not Avro single-object encoding");
            assertThat(header(dead.get(1), DeadLetters.HEADER_ERROR)).contains("key does not match");
            assertThat(header(dead.get(0), DeadLetters.HEADER_OFFSET)).isNotBlank();
            assertThat(MessageSequencingTest.messages(f.events.readValuesToList()))
                    .singleElement()
                    .satisfies(e -> assertThat(e.getSeq()).isEqualTo(1));
        }
    }

    @Test
    void shouldDropOnlyDeliveriesToMissingTopics() {
        DeliveryTopicProductionHandler handler = new DeliveryTopicProductionHandler();
        var missing = new UnknownTopicOrPartitionException("gone");
        assertThat(handler.handleError(null, record(Topics.delivery("dead-edge").name()), missing)
                        .result())
                .isEqualTo(ProductionExceptionHandler.Result.RESUME);
        assertThat(handler.handleError(null, record(Topics.EVENTS.name()), missing)
                        .result())
                .isEqualTo(ProductionExceptionHandler.Result.FAIL);
        assertThat(handler.handleError(null, record(Topics.delivery("e").name()), new IllegalStateException())
                        .result())
                .isEqualTo(ProductionExceptionHandler.Result.FAIL);
    }

    private static ProducerRecord<byte[], byte[]> record(String topic) {
        return new ProducerRecord<>(topic, null, null, new byte[0], new byte[0], new RecordHeaders());
    }

    private static String header(TestRecord<byte[], byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
