package dev.parley.schema;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The topic catalogue: the only place a topic name is written. See DESIGN section 3 and the
 * README topic table.
 */
public final class Topics {

    /**
     * Timestamped by the broker (LogAppendTime): the dedup window, message ids and {@code ts} derive
     * from a command's timestamp, and an edge's clock may be hours off (a producer clock more than an
     * hour ahead is even refused by a Kafka 4 broker under CreateTime).
     */
    public static final TopicSpec COMMANDS = new TopicSpec("parley.commands.v1", 12, false, Duration.ofDays(7), true);

    /**
     * Typing commands, apart from {@link #COMMANDS} (an addition to DESIGN section 3): SignalTopology
     * relays them at least once, and reading them here instead of out of every command keeps its
     * cost and its queue independent of the message rate. The same {@code Command} records, keyed by
     * conversation id, broker-timestamped like the commands; provisioned with as many partitions as
     * {@link #COMMANDS} has, because SignalTopology reads it next to ConversationTopology's membership
     * changelog, which has the commands' partitions. Retention is short: a typing signal is worth
     * seconds.
     */
    public static final TopicSpec TYPING = new TopicSpec("parley.typing.v1", 12, false, Duration.ofHours(1), true);

    public static final TopicSpec EVENTS = new TopicSpec("parley.events.v1", 12, false, Duration.ofDays(30));
    public static final TopicSpec NOTIFY = new TopicSpec("parley.notify.v1", 12, false, Duration.ofDays(1));
    /** Compacted; co-partitioned with {@link #NOTIFY} (same key, same partition count) for the join. */
    public static final TopicSpec DEVICES = new TopicSpec("parley.devices.v1", 12, true, null);

    /**
     * Read watermarks keyed by user, so the notification topology can drop pushes for messages
     * read on another device. Co-partitioned with {@link #NOTIFY}. An addition to DESIGN section 3.
     */
    public static final TopicSpec READS = new TopicSpec("parley.reads.v1", 12, false, Duration.ofDays(1));

    public static final TopicSpec PUSH = new TopicSpec("parley.push.v1", 12, false, Duration.ofDays(1));
    /**
     * Input records the topology could not decode, copied byte for byte with headers naming the
     * source topic, partition, offset and error. An addition to DESIGN section 3.
     */
    public static final TopicSpec DEAD_LETTER = new TopicSpec("parley.deadletter.v1", 1, false, Duration.ofDays(14));

    /** One per edge; a best-effort transport, clients catch up by seq. */
    public static final int DELIVERY_PARTITIONS = 1;

    public static final Duration DELIVERY_RETENTION = Duration.ofHours(1);

    private static final String DELIVERY_PREFIX = "parley.delivery.";
    private static final String SIGNALS_PREFIX = "parley.signals.";
    private static final String DELIVERY_SUFFIX = ".v1";
    private static final Pattern EDGE_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Pattern DELIVERY_NAME =
            Pattern.compile(Pattern.quote(DELIVERY_PREFIX) + "([A-Za-z0-9_-]{1,64})" + Pattern.quote(DELIVERY_SUFFIX));
    private static final Pattern SIGNALS_NAME =
            Pattern.compile(Pattern.quote(SIGNALS_PREFIX) + "([A-Za-z0-9_-]{1,64})" + Pattern.quote(DELIVERY_SUFFIX));

    private Topics() {}

    /** Every fixed topic, in provisioning order. */
    public static List<TopicSpec> fixed() {
        return List.of(COMMANDS, TYPING, EVENTS, NOTIFY, DEVICES, READS, PUSH, DEAD_LETTER);
    }

    /** The topic a command with this payload goes to: {@link #TYPING} for typing, else {@link #COMMANDS}. */
    public static TopicSpec commandsFor(Object payload) {
        return payload instanceof Typing ? TYPING : COMMANDS;
    }

    public static TopicSpec delivery(String edgeId) {
        if (!EDGE_ID.matcher(edgeId).matches()) {
            throw new IllegalArgumentException("edge id must match " + EDGE_ID + ": " + edgeId);
        }
        return new TopicSpec(
                DELIVERY_PREFIX + edgeId + DELIVERY_SUFFIX, DELIVERY_PARTITIONS, false, DELIVERY_RETENTION);
    }

    /** The edge id of a delivery topic name, or {@code null} if the name is not a delivery topic. */
    public static String edgeOfDeliveryTopic(String topic) {
        var m = DELIVERY_NAME.matcher(topic);
        return m.matches() ? m.group(1) : null;
    }

    /**
     * One per edge, next to its delivery topic, for ephemeral signals (typing) the at-least-once
     * SignalTopology writes without a transaction. A separate topic because an edge reads
     * read_committed, and a read_committed consumer sees nothing in a partition past the first
     * record of a transaction still open there: on the delivery topic a typing signal would wait
     * for the conversation topology's next commit. Same record format ({@code Delivery}) as the
     * delivery topic. An addition to DESIGN section 3.
     */
    public static TopicSpec signals(String edgeId) {
        if (!EDGE_ID.matcher(edgeId).matches()) {
            throw new IllegalArgumentException("edge id must match " + EDGE_ID + ": " + edgeId);
        }
        return new TopicSpec(SIGNALS_PREFIX + edgeId + DELIVERY_SUFFIX, DELIVERY_PARTITIONS, false, DELIVERY_RETENTION);
    }

    /** The edge id of a signals topic name, or {@code null} if the name is not one. */
    public static String edgeOfSignalsTopic(String topic) {
        var m = SIGNALS_NAME.matcher(topic);
        return m.matches() ? m.group(1) : null;
    }
}
