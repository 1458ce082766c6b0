package dev.parley.topology.signal;

import dev.parley.schema.ParleySerdes;
import dev.parley.schema.Topics;
import dev.parley.topology.ConversationTopology;
import dev.parley.topology.routing.DeliveryRouter;
import dev.parley.topology.routing.EdgeDelivery;
import dev.parley.topology.routing.SessionDirectory;
import dev.parley.topology.store.ConversationMeta;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.AutoOffsetReset;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * Ephemeral signals (typing) off the exactly-once path: an at_least_once application next to
 * ConversationTopology, so a typing frame costs about one Kafka hop instead of waiting for a
 * transaction commit (BENCHMARKS.md, issue #20).
 *
 * <p>In: parley.typing.v1 (the edge's {@code Typing} commands, {@link Topics#TYPING}: not every
 * command, so this application's cost does not grow with the message rate and a typing signal never
 * queues behind a burst of sends) and ConversationTopology's {@code conversation-meta} changelog,
 * both keyed by conversation id with the same partition count, so each task sees the membership of
 * exactly its conversations.
 * The changelog feeds a read-only store, restored from that topic itself (no changelog of its own).
 * Out: one {@code Delivery} per edge holding another member, to that edge's signals topic
 * ({@link Topics#signals}). Guarantee: at least once and best effort, as typing always was; a
 * member added a moment ago may be refused until the membership change is committed.
 */
public final class SignalTopology {

    public static final String MEMBERS_STORE = "signal-members";
    static final String TYPING_SOURCE = "signal-typing-source";
    static final String MEMBERS_SOURCE = "signal-members-source";
    static final String MEMBERS_UPDATER = "signal-members-updater";
    static final String RELAY = "signal-relay";
    static final String ROUTER = "signal-router";

    private SignalTopology() {}

    /** The changelog topic of ConversationTopology's membership store under {@code applicationId}. */
    public static String membersChangelog(String conversationApplicationId) {
        return conversationApplicationId + "-" + ConversationTopology.META_STORE + "-changelog";
    }

    public static Topology build(String conversationApplicationId, ParleySerdes serdes, SessionDirectory sessions) {
        Serde<ConversationMeta> meta = serdes.store(ConversationMeta.class, ConversationMeta.getClassSchema());
        Topology topology = new Topology();
        // a first start (or an upgrade) reads from the end: replaying days of typing helps nobody.
        // The membership source keeps the default (earliest): its store needs the whole changelog
        topology.addSource(
                AutoOffsetReset.latest(),
                TYPING_SOURCE,
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer(),
                Topics.TYPING.name());
        topology.addReadOnlyStateStore(
                Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(MEMBERS_STORE), Serdes.String(), meta)
                        .withLoggingDisabled(),
                MEMBERS_SOURCE,
                null,
                Serdes.String().deserializer(),
                meta.deserializer(),
                membersChangelog(conversationApplicationId),
                MEMBERS_UPDATER,
                MembersUpdater::new);
        topology.addProcessor(RELAY, () -> new SignalRelay(serdes.command().deserializer()), TYPING_SOURCE);
        topology.connectProcessorAndStateStores(RELAY, MEMBERS_STORE);
        // previews are for notifications, which signals never make
        topology.addProcessor(ROUTER, () -> new DeliveryRouter(sessions, 0), RELAY);
        topology.addSink(
                DeliveryRouter.DELIVERY_SINK,
                EdgeDelivery.signalsTopicExtractor(),
                new StringSerializer(),
                EdgeDelivery.serializer(serdes.delivery().serializer()),
                ROUTER);
        return topology;
    }
}
