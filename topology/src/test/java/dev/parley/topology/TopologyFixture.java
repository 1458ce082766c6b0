package dev.parley.topology;

import dev.parley.schema.AddMembers;
import dev.parley.schema.Command;
import dev.parley.schema.ConversationEvent;
import dev.parley.schema.ConversationIds;
import dev.parley.schema.ConversationType;
import dev.parley.schema.CreateConversation;
import dev.parley.schema.Delivery;
import dev.parley.schema.MarkReceipt;
import dev.parley.schema.Notification;
import dev.parley.schema.Origin;
import dev.parley.schema.ParleySerdes;
import dev.parley.schema.React;
import dev.parley.schema.ReactionOp;
import dev.parley.schema.ReceiptKind;
import dev.parley.schema.RemoveMember;
import dev.parley.schema.SendMessage;
import dev.parley.schema.Topics;
import dev.parley.schema.Typing;
import dev.parley.schema.TypingState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * The production topology in a TopologyTestDriver, with helpers that speak in commands. Every
 * command carries an explicit timestamp: the topology never reads the wall clock.
 */
final class TopologyFixture implements AutoCloseable {

    static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

    final InMemorySessionDirectory sessions = new InMemorySessionDirectory();
    final ParleySerdes serdes;
    final TopologyTestDriver driver;
    final TestInputTopic<String, byte[]> commands;
    final TestOutputTopic<String, ConversationEvent> events;
    final TestOutputTopic<String, Notification> notifications;
    final TestOutputTopic<byte[], byte[]> deadLetters;
    final TestOutputTopic<String, dev.parley.schema.ReadMarker> readMarkers;
    private final Path stateDir;
    private Instant clock = T0;
    private int connection;

    TopologyFixture() {
        this(TopologyConfig.defaults());
    }

    TopologyFixture(TopologyConfig config) {
        this(config, new ParleySerdes());
    }

    /** @param serdes what the topology is built with (the fixture's own reads use the same) */
    TopologyFixture(TopologyConfig config, ParleySerdes serdes) {
        this.serdes = serdes;
        Properties props = new Properties();
        // the production error handlers, so tests see what a deployment does with a failing record
        Properties production = new TopologySettings(java.util.Map.of()).streamsProperties();
        for (String handler : List.of(
                StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG,
                StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
                StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG)) {
            if (production.get(handler) != null) {
                props.put(handler, production.get(handler));
            }
        }
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "parley-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        try {
            stateDir = Files.createTempDirectory("parley-ttd");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(ConversationTopology.build(config, serdes, sessions), props);
        commands = driver.createInputTopic(Topics.COMMANDS.name(), new StringSerializer(), new ByteArraySerializer());
        events = driver.createOutputTopic(
                Topics.EVENTS.name(), new StringDeserializer(), serdes.event().deserializer());
        notifications = driver.createOutputTopic(
                Topics.NOTIFY.name(),
                new StringDeserializer(),
                serdes.notification().deserializer());
        readMarkers = driver.createOutputTopic(
                Topics.READS.name(),
                new StringDeserializer(),
                serdes.readMarker().deserializer());
        deadLetters = driver.createOutputTopic(
                Topics.DEAD_LETTER.name(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer());
    }

    TestOutputTopic<String, Delivery> deliveries(String edge) {
        return driver.createOutputTopic(
                Topics.delivery(edge).name(),
                new StringDeserializer(),
                serdes.delivery().deserializer());
    }

    /** What ConversationTopology wrote to its membership changelog (SignalTopology's input). */
    TestOutputTopic<byte[], byte[]> membersChangelog() {
        return driver.createOutputTopic(
                "parley-test-" + ConversationTopology.META_STORE + "-changelog",
                new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer());
    }

    /** Moves the command clock; later commands carry this timestamp. */
    void at(Instant instant) {
        clock = instant;
    }

    void tick() {
        clock = clock.plusMillis(1);
    }

    Instant now() {
        return clock;
    }

    void pipe(String key, Command command) {
        commands.pipeInput(key, serdes.command().serialize(Topics.COMMANDS.name(), command), clock);
        tick();
    }

    /** Sends a command from {@code sender} via edge "e1", answered on a fresh connection. */
    void pipe(String conversationId, String sender, Object payload) {
        pipe(conversationId, command(conversationId, sender, "e1", "c" + (++connection), payload));
    }

    static Command command(String conversationId, String sender, String edge, String clientId, Object payload) {
        return new Command(conversationId, sender, new Origin(edge, "conn-" + clientId, clientId), payload);
    }

    String group(String creator, String... members) {
        String id = "g_" + creator + "_" + members.length + "_" + connection;
        pipe(id, creator, new CreateConversation(ConversationType.GROUP, "team", List.of(members), null, null));
        return id;
    }

    String direct(String a, String b) {
        String id = ConversationIds.direct(a, b);
        pipe(id, a, new CreateConversation(ConversationType.DIRECT, null, List.of(b), null, null));
        return id;
    }

    void send(String conversationId, String sender, String clientMsgId, String body) {
        pipe(conversationId, sender, new SendMessage(clientMsgId, body, List.of(), null, null, List.of(), List.of()));
    }

    /** Creates a channel (v6) of {@code creator} with the given settings and initial members. */
    String channel(
            String creator,
            dev.parley.schema.ChannelVisibility visibility,
            dev.parley.schema.ChannelPosting posting,
            String... members) {
        String id = "c_" + creator + "_" + (++connection);
        pipe(
                id,
                creator,
                new CreateConversation(ConversationType.CHANNEL, "news", List.of(members), visibility, posting));
        return id;
    }

    void join(String channelId, String user) {
        pipe(channelId, user, new dev.parley.schema.JoinChannel());
    }

    /** Edge {@code edge} registers interest in the channel, as the edge does (no origin: never answered). */
    void interest(String channelId, String edge, long ttlMs) {
        pipe(
                channelId,
                new Command(
                        channelId,
                        edge,
                        new Origin(edge, null, null),
                        new dev.parley.schema.ChannelInterest(edge, ttlMs)));
    }

    void mention(String conversationId, String sender, String clientMsgId, String body, String... mentions) {
        pipe(
                conversationId,
                sender,
                new SendMessage(clientMsgId, body, List.of(), null, null, List.of(), List.of(mentions)));
    }

    void add(String conversationId, String sender, String... members) {
        pipe(conversationId, sender, new AddMembers(List.of(members)));
    }

    void remove(String conversationId, String sender, String member) {
        pipe(conversationId, sender, new RemoveMember(member));
    }

    void receipt(String conversationId, String user, ReceiptKind kind, long seq) {
        pipe(conversationId, user, new MarkReceipt(kind, seq));
    }

    void react(String conversationId, String user, long seq, String emoji, ReactionOp op) {
        pipe(conversationId, user, new React(seq, emoji, op));
    }

    void typing(String conversationId, String user) {
        pipe(conversationId, user, new Typing(TypingState.START));
    }

    @Override
    public void close() {
        driver.close();
        try (var files = Files.walk(stateDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
