package dev.parley.topology.notification;

import dev.parley.schema.ParleySerdes;
import dev.parley.schema.PushRequest;
import dev.parley.schema.Topics;
import dev.parley.topology.store.PendingPush;
import java.time.Duration;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * parley.notify.v1 joined with parley.devices.v1 and parley.reads.v1 (all keyed by user,
 * co-partitioned) -> parley.push.v1, one PushRequest per device. A pure {@link #build}, like ConversationTopology.
 */
public final class NotificationTopology {

    public static final String DEVICES_STORE = "devices";
    public static final String PENDING_STORE = "pending-pushes";
    /** Index of {@link #PENDING_STORE} by due time (see {@link PendingPushes}); added with its changelog in v3. */
    public static final String PENDING_DUE_STORE = "pending-pushes-due";

    public static final Duration DEFAULT_MIN_INTERVAL = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_PER_PUNCTUATION = 5_000;

    private NotificationTopology() {}

    /**
     * @param maxPerPunctuation how many pending entries one punctuation may look at; the rest wait
     *     for the next one
     */
    public static Topology build(
            Duration minInterval, Duration punctuateEvery, int maxPerPunctuation, ParleySerdes serdes) {
        Topology topology = new Topology();
        topology.addSource(
                "devices-source", new StringDeserializer(), serdes.deviceSet().deserializer(), Topics.DEVICES.name());
        topology.addProcessor("devices-table", DeviceTableUpdater::new, "devices-source");
        topology.addSource(
                "notify-source", new StringDeserializer(), serdes.notification().deserializer(), Topics.NOTIFY.name());
        topology.addProcessor(
                "push-planner",
                () -> new PushPlanner(new PushPolicy(minInterval), punctuateEvery, maxPerPunctuation),
                "notify-source");
        topology.addSource(
                "reads-source", new StringDeserializer(), serdes.readMarker().deserializer(), Topics.READS.name());
        topology.addProcessor("read-marks", ReadMarkApplier::new, "reads-source");
        topology.addStateStore(
                Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(DEVICES_STORE), Serdes.String(), serdes.deviceSet()),
                "devices-table",
                "push-planner",
                "read-marks");
        topology.addStateStore(
                Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(PENDING_STORE),
                        Serdes.String(),
                        serdes.store(PendingPush.class, PendingPush.getClassSchema())),
                "push-planner",
                "read-marks");
        topology.addStateStore(
                Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(PENDING_DUE_STORE), Serdes.String(), Serdes.Long()),
                "push-planner",
                "read-marks");
        topology.<String, PushRequest>addSink(
                PushPlanner.PUSH_SINK,
                Topics.PUSH.name(),
                new StringSerializer(),
                serdes.pushRequest().serializer(),
                "push-planner");
        return topology;
    }
}
