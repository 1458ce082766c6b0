package dev.parley.topology;

import dev.parley.schema.ConversationEvent;
import dev.parley.schema.Notification;
import dev.parley.schema.ParleySerdes;
import dev.parley.schema.ReadMarker;
import dev.parley.schema.Topics;
import dev.parley.topology.routing.DeliveryRouter;
import dev.parley.topology.routing.EdgeDelivery;
import dev.parley.topology.routing.SessionDirectory;
import dev.parley.topology.store.ChannelMember;
import dev.parley.topology.store.ConversationMeta;
import dev.parley.topology.store.DedupEntry;
import dev.parley.topology.store.MessageState;
import dev.parley.topology.store.ReceiptState;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * parley.commands.v1 -> decode -> dedup, validate, sequence -> parley.events.v1, the delivery topics
 * of the recipients' edges, and parley.notify.v1. One sub-topology keyed by conversation id, so
 * every conversation is handled by one task in input order.
 *
 * <p>{@link #build} is a pure function: no I/O, no KafkaStreams; {@link TopologyMain} runs it and
 * the tests drive the same method. Node and store names are part of the deployed state: renaming
 * one orphans its changelog, which is why a test pins {@code describe()}.
 */
public final class ConversationTopology {

    public static final String META_STORE = "conversation-meta";
    public static final String SEQ_STORE = "conversation-seq";
    public static final String DEDUP_STORE = "dedup";
    public static final String RECEIPTS_STORE = "receipts";
    public static final String REACTIONS_STORE = "reactions";
    public static final String VERSION_STORE = "conversation-version";
    public static final String MESSAGE_INDEX_STORE = "message-index";
    public static final String DELETED_STORE = "deleted-messages";
    public static final String CHANNEL_MEMBERS_STORE = "channel-members";
    public static final String CHANNEL_INTEREST_STORE = "channel-interest";

    static final String SOURCE = "commands-source";
    static final String DECODER = "command-decoder";

    private ConversationTopology() {}

    /** As {@link #build(TopologyConfig, ParleySerdes, SessionDirectory, long)}, commits on the interval only. */
    public static Topology build(TopologyConfig config, ParleySerdes serdes, SessionDirectory sessions) {
        return build(config, serdes, sessions, 0);
    }

    /**
     * @param commitAfterIdleMs a record that reaches the instance after this long without input is
     *     committed at once ({@link IdleCommit}, one judgement shared by every task this topology
     *     is instantiated into); 0: only on the commit interval
     */
    public static Topology build(
            TopologyConfig config, ParleySerdes serdes, SessionDirectory sessions, long commitAfterIdleMs) {
        Topology topology = new Topology();
        topology.addSource(SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), Topics.COMMANDS.name());
        topology.addProcessor(DECODER, () -> new CommandDecoder(serdes.command()), SOURCE);
        topology.addSink(
                CommandDecoder.DEAD_LETTER_SINK,
                Topics.DEAD_LETTER.name(),
                new ByteArraySerializer(),
                new ByteArraySerializer(),
                DECODER);

        IdleCommit idleCommit = new IdleCommit(commitAfterIdleMs);
        topology.addProcessor(CommandDecoder.NEXT, () -> new ConversationProcessor(config, idleCommit), DECODER);
        topology.addStateStore(
                Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(META_STORE),
                        Serdes.String(),
                        serdes.store(ConversationMeta.class, ConversationMeta.getClassSchema())),
                CommandDecoder.NEXT);
        topology.addStateStore(
                Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(SEQ_STORE), Serdes.String(), Serdes.Long()),
                CommandDecoder.NEXT);
        topology.addStateStore(
                Stores.windowStoreBuilder(
                        Stores.persistentWindowStore(DEDUP_STORE, config.dedupWindow(), config.dedupWindow(), false),
                        Serdes.String(),
                        serdes.store(DedupEntry.class, DedupEntry.getClassSchema())),
                CommandDecoder.NEXT);
        topology.addStateStore(
                Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(RECEIPTS_STORE),
                        Serdes.String(),
                        serdes.store(ReceiptState.class, ReceiptState.getClassSchema())),
                CommandDecoder.NEXT);
        topology.addStateStore(
                Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(REACTIONS_STORE), Serdes.String(), Serdes.Long()),
                CommandDecoder.NEXT);

        // v5: the change counter, and what edits and deletes are checked against (ConversationState)
        topology.addStateStore(
                Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(VERSION_STORE), Serdes.String(), Serdes.Long()),
                CommandDecoder.NEXT);
        topology.addStateStore(
                Stores.windowStoreBuilder(
                        Stores.persistentWindowStore(
                                MESSAGE_INDEX_STORE,
                                config.messageIndexRetention(),
                                config.messageIndexRetention(),
                                false),
                        Serdes.String(),
                        serdes.store(MessageState.class, MessageState.getClassSchema())),
                CommandDecoder.NEXT);
        topology.addStateStore(
                Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(DELETED_STORE), Serdes.String(), Serdes.Long()),
                CommandDecoder.NEXT);

        // v6 channels: members one entry each (channel|user), edges' interest (channel|edge -> expiry)
        topology.addStateStore(
                Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(CHANNEL_MEMBERS_STORE),
                        Serdes.String(),
                        serdes.store(ChannelMember.class, ChannelMember.getClassSchema())),
                CommandDecoder.NEXT);
        topology.addStateStore(
                Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(CHANNEL_INTEREST_STORE), Serdes.String(), Serdes.Long()),
                CommandDecoder.NEXT);

        topology.<String, ConversationEvent>addSink(
                ConversationProcessor.EVENTS_SINK,
                Topics.EVENTS.name(),
                new StringSerializer(),
                serdes.event().serializer(),
                CommandDecoder.NEXT);

        topology.<String, ReadMarker>addSink(
                ConversationProcessor.READS_SINK,
                Topics.READS.name(),
                new StringSerializer(),
                serdes.readMarker().serializer(),
                CommandDecoder.NEXT);

        topology.addProcessor(
                ConversationProcessor.ROUTER,
                () -> new DeliveryRouter(sessions, config.previewChars()),
                CommandDecoder.NEXT);
        topology.addSink(
                DeliveryRouter.DELIVERY_SINK,
                EdgeDelivery.topicExtractor(),
                new StringSerializer(),
                EdgeDelivery.serializer(serdes.delivery().serializer()),
                ConversationProcessor.ROUTER);
        topology.<String, Notification>addSink(
                DeliveryRouter.NOTIFY_SINK,
                Topics.NOTIFY.name(),
                new StringSerializer(),
                serdes.notification().serializer(),
                ConversationProcessor.ROUTER);
        return topology;
    }
}
