package dev.parley.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.schema.Delivery;
import dev.parley.schema.Topics;
import dev.parley.schema.TypingSignal;
import dev.parley.schema.TypingState;
import dev.parley.topology.signal.SignalTopology;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * SignalTopology on the membership ConversationTopology really writes: each test drives the
 * production ConversationTopology ({@link TopologyFixture}), copies what it wrote to its membership
 * changelog into a second driver running SignalTopology, then pipes each typing command into
 * SignalTopology's input (parley.typing.v1, where the edge writes them) and into ConversationTopology's
 * (parley.commands.v1, where an edge of an older release wrote them), which must relay nothing.
 */
class SignalTopologyTest {

    private final TopologyFixture f = new TopologyFixture();
    private final TopologyTestDriver signals;
    private final TestInputTopic<byte[], byte[]> changelog;
    private final TestInputTopic<byte[], byte[]> typing;
    private final TestOutputTopic<byte[], byte[]> written = f.membersChangelog();

    SignalTopologyTest() throws IOException {
        Path state = Files.createTempDirectory("parley-signals-ttd");
        Properties props = new TopologySettings(java.util.Map.of(
                        TopologySettings.APPLICATION_ID, "parley-test", TopologySettings.STATE_DIR, state.toString()))
                .signalsStreamsProperties();
        assertThat(props.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)).isEqualTo(StreamsConfig.AT_LEAST_ONCE);
        signals = new TopologyTestDriver(SignalTopology.build("parley-test", f.serdes, f.sessions), props);
        changelog = signals.createInputTopic(
                SignalTopology.membersChangelog("parley-test"), new ByteArraySerializer(), new ByteArraySerializer());
        typing = signals.createInputTopic(Topics.TYPING.name(), new ByteArraySerializer(), new ByteArraySerializer());
    }

    @AfterEach
    void close() {
        signals.close();
        f.close();
    }

    /** Membership as ConversationTopology committed it, now in SignalTopology's store. */
    private void syncMembership() {
        for (TestRecord<byte[], byte[]> r : written.readRecordsToList()) {
            changelog.pipeInput(r);
        }
    }

    /** A typing command, as the edge writes it, to SignalTopology; and, as an older edge did, to the commands. */
    private void typing(String conv, String user) {
        f.typing(conv, user);
        byte[] value = f.serdes
                .command()
                .serialize(
                        Topics.TYPING.name(),
                        TopologyFixture.command(
                                conv, user, "e1", "typing", new dev.parley.schema.Typing(TypingState.START)));
        typing.pipeInput(conv.getBytes(java.nio.charset.StandardCharsets.UTF_8), value, f.now());
    }

    private TestOutputTopic<String, Delivery> signalsOf(String edge) {
        return signals.createOutputTopic(
                Topics.signals(edge).name(),
                new StringDeserializer(),
                f.serdes.delivery().deserializer());
    }

    @Test
    void shouldRelayTypingToOnlineOthersOnTheirSignalsTopicAndNeverThroughTheTransactionalTopology() {
        String conv = f.group("alice", "bob", "carol");
        f.sessions.connect("alice", "e1");
        f.sessions.connect("bob", "e2");
        syncMembership();
        TestOutputTopic<String, Delivery> e1 = signalsOf("e1");
        TestOutputTopic<String, Delivery> e2 = signalsOf("e2");
        TestOutputTopic<String, Delivery> deliveriesE2 = f.deliveries("e2");
        f.events.readValuesToList();
        deliveriesE2.readValuesToList();

        typing(conv, "alice");

        assertThat(e1.isEmpty()).as("the typer gets no echo").isTrue();
        Delivery delivery = e2.readValue();
        assertThat(delivery.getConversationId()).isEqualTo(conv);
        assertThat(delivery.getRecipients()).containsExactly("bob");
        assertThat(((TypingSignal) delivery.getPayload()).getUserId()).isEqualTo("alice");
        assertThat(((TypingSignal) delivery.getPayload()).getState()).isEqualTo(TypingState.START);
        assertThat(e2.isEmpty()).isTrue();
        assertThat(f.events.isEmpty()).as("never in the event log").isTrue();
        assertThat(f.notifications.isEmpty()).isTrue();
        assertThat(deliveriesE2.isEmpty())
                .as("the exactly-once topology relays nothing: one signal, not two")
                .isTrue();
    }

    @Test
    void shouldDropTypingOfStrangersOfUnknownConversationsAndOfRemovedMembers() {
        String conv = f.group("alice", "bob");
        f.sessions.connect("alice", "e1");
        f.sessions.connect("bob", "e2");
        f.sessions.connect("mallory", "e3");
        syncMembership();
        TestOutputTopic<String, Delivery> e1 = signalsOf("e1");
        TestOutputTopic<String, Delivery> e2 = signalsOf("e2");
        TestOutputTopic<String, Delivery> e3 = signalsOf("e3");

        typing(conv, "mallory");
        typing("g_nothing_here", "alice");
        assertThat(e1.isEmpty()).isTrue();
        assertThat(e2.isEmpty()).isTrue();
        assertThat(e3.isEmpty()).isTrue();

        f.remove(conv, "alice", "bob");
        syncMembership();
        typing(conv, "bob");
        assertThat(e1.isEmpty()).as("bob is no longer a member").isTrue();
        typing(conv, "alice");
        assertThat(e2.isEmpty()).as("nor a recipient").isTrue();
    }
}
