package dev.parley.topology;

import dev.parley.schema.RedisClients;
import dev.parley.topology.notification.NotificationTopology;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.StreamsConfig;

/** Every setting of the topology process, with production defaults. The README table lists them. */
public final class TopologySettings extends AbstractConfig {

    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    public static final String APPLICATION_ID = "application.id";
    public static final String STATE_DIR = "state.dir";
    public static final String COMMIT_INTERVAL_MS = "commit.interval.ms";
    public static final String POLL_MS = "poll.ms";
    public static final String PRODUCER_LINGER_MS = "producer.linger.ms";
    public static final String COMMIT_AFTER_IDLE_MS = "commit.after.idle.ms";
    public static final String STREAM_THREADS = "num.stream.threads";
    public static final String REPLICATION_FACTOR = "replication.factor";
    public static final String SESSION_TIMEOUT_MS = "session.timeout.ms";
    public static final String TOPIC_PARTITIONS = "topics.partitions";
    public static final String MIN_INSYNC_REPLICAS = "topics.min.insync.replicas";
    public static final String REDIS_URL = "redis.url";
    public static final String REDIS_KEY_PREFIX = "redis.key.prefix";
    public static final String REDIS_TIMEOUT_MS = "redis.timeout.ms";
    public static final String REDIS_BREAKER_FAILURES = "redis.breaker.failures";
    public static final String REDIS_BREAKER_OPEN_MS = "redis.breaker.open.ms";
    public static final String DEDUP_WINDOW_MS = "dedup.window.ms";
    public static final String MAX_GROUP_MEMBERS = "max.group.members";
    public static final String MAX_BODY_BYTES = "max.body.bytes";
    public static final String RECEIPT_FANOUT_MAX_MEMBERS = "receipt.fanout.max.members";
    public static final String PREVIEW_CHARS = "notification.preview.chars";
    public static final String EDIT_WINDOW_MS = "edit.window.ms";
    public static final String DELETE_WINDOW_MS = "delete.window.ms";
    public static final String RETENTION_MIN_SECONDS = "retention.min.seconds";
    public static final String MENTIONS_MAX_PER_MESSAGE = "mentions.max.per.message";
    public static final String CHANNEL_INTEREST_MAX_TTL_MS = "channel.interest.max.ttl.ms";
    public static final String NOTIFICATION_APPLICATION_ID = "notification.application.id";
    public static final String SIGNALS_APPLICATION_ID = "signals.application.id";
    public static final String PUSH_MIN_INTERVAL_MS = "push.min.interval.ms";
    public static final String PUSH_MAX_PER_PUNCTUATION = "push.release.max.per.punctuation";
    public static final String METRICS_PORT = "metrics.port";

    static final long NOTIFICATION_POLL_MS = 100;

    private static final String KAFKA = "Kafka";
    private static final String REDIS = "Redis";
    private static final String RULES = "Rules";

    public static final ConfigDef CONFIG = new ConfigDef()
            .define(
                    BOOTSTRAP_SERVERS,
                    Type.STRING,
                    "localhost:9092",
                    Importance.HIGH,
                    "Kafka bootstrap servers.",
                    KAFKA,
                    1,
                    ConfigDef.Width.LONG,
                    BOOTSTRAP_SERVERS)
            .define(
                    APPLICATION_ID,
                    Type.STRING,
                    "parley-conversations",
                    Importance.HIGH,
                    "Kafka Streams application id: the consumer group and the prefix of internal topics.",
                    KAFKA,
                    2,
                    ConfigDef.Width.MEDIUM,
                    APPLICATION_ID)
            .define(
                    STATE_DIR,
                    Type.STRING,
                    "./data/streams",
                    Importance.HIGH,
                    "Where RocksDB state lives; keep it on a persistent disk, not /tmp.",
                    KAFKA,
                    3,
                    ConfigDef.Width.LONG,
                    STATE_DIR)
            .define(
                    COMMIT_INTERVAL_MS,
                    Type.LONG,
                    50L,
                    Range.atLeast(1),
                    Importance.MEDIUM,
                    "exactly_once_v2 commit interval: output becomes visible at commit, so this bounds latency; "
                            + "each commit costs broker round trips, so too short caps throughput (BENCHMARKS.md: "
                            + "25 ms peaked near 470 msgs/s here, 50 ms near 890).",
                    KAFKA,
                    4,
                    ConfigDef.Width.SHORT,
                    COMMIT_INTERVAL_MS)
            .define(
                    COMMIT_AFTER_IDLE_MS,
                    Type.LONG,
                    20L,
                    Range.atLeast(0),
                    Importance.LOW,
                    "A command appended this long after the one before it, in any commands partition the"
                            + " instance owns, is committed at once instead of at the next commit interval (a"
                            + " lone message's sent ack and delivery skip the interval's wait); under load the"
                            + " instance's commands arrive closer together and commits stay on the interval."
                            + " 0: off (BENCHMARKS.md, issue #20).",
                    KAFKA,
                    4,
                    ConfigDef.Width.SHORT,
                    COMMIT_AFTER_IDLE_MS)
            .define(
                    PRODUCER_LINGER_MS,
                    Type.INT,
                    null,
                    (name, value) -> {
                        if (value != null && (Integer) value < 0) {
                            throw new org.apache.kafka.common.config.ConfigException(name, value, "must be at least 0");
                        }
                    },
                    Importance.LOW,
                    "ConversationTopology's producer linger; unset: the commit interval. Committed readers see"
                            + " output only at the commit, which flushes the producer, so lingering up to it costs"
                            + " them nothing; early delivery (edge, ?early=1) shows a message when it is written,"
                            + " so a few ms here let its sockets see it before the commit, at the price of more,"
                            + " smaller produce requests (BENCHMARKS.md, issue #20).",
                    KAFKA,
                    4,
                    ConfigDef.Width.SHORT,
                    PRODUCER_LINGER_MS)
            .define(
                    POLL_MS,
                    Type.LONG,
                    10L,
                    Range.atLeast(1),
                    Importance.LOW,
                    "How long a ConversationTopology stream thread waits for new records before it checks whether a"
                            + " commit is due."
                            + " Output is visible only at commit, so at low traffic a processed message can wait this"
                            + " long on top of the commit interval (the Streams default, 100, did; BENCHMARKS.md).",
                    KAFKA,
                    4,
                    ConfigDef.Width.SHORT,
                    POLL_MS)
            .define(
                    STREAM_THREADS,
                    Type.INT,
                    1,
                    Range.atLeast(1),
                    Importance.MEDIUM,
                    "Stream threads in this instance.",
                    KAFKA,
                    5,
                    ConfigDef.Width.SHORT,
                    STREAM_THREADS)
            .define(
                    REPLICATION_FACTOR,
                    Type.SHORT,
                    (short) 1,
                    Range.atLeast(1),
                    Importance.HIGH,
                    "Replication factor of the internal topics Kafka Streams creates (3 on a cluster).",
                    KAFKA,
                    6,
                    ConfigDef.Width.SHORT,
                    REPLICATION_FACTOR)
            .define(
                    SESSION_TIMEOUT_MS,
                    Type.INT,
                    45_000,
                    Range.atLeast(1_000),
                    Importance.MEDIUM,
                    "How long a crashed instance holds its partitions before another takes them over.",
                    KAFKA,
                    9,
                    ConfigDef.Width.SHORT,
                    SESSION_TIMEOUT_MS)
            .define(
                    TOPIC_PARTITIONS,
                    Type.INT,
                    0,
                    Range.atLeast(0),
                    Importance.MEDIUM,
                    "Partitions the catalogue topics must have: the migrate step creates them (its"
                            + " topics.partitions), and the topology refuses to start on another count; 0 checks"
                            + " only that they exist.",
                    KAFKA,
                    7,
                    ConfigDef.Width.SHORT,
                    TOPIC_PARTITIONS)
            .define(
                    MIN_INSYNC_REPLICAS,
                    Type.INT,
                    null,
                    Importance.MEDIUM,
                    "min.insync.replicas of the internal topics Kafka Streams creates (changelogs,"
                            + " repartitions); empty keeps the broker's (2 on a cluster).",
                    KAFKA,
                    8,
                    ConfigDef.Width.SHORT,
                    MIN_INSYNC_REPLICAS)
            .define(
                    REDIS_URL,
                    Type.STRING,
                    "redis://localhost:6379",
                    RedisClients::validateUrl,
                    Importance.HIGH,
                    "Redis holding sessions and edge heartbeats: redis://host:port, or"
                            + " redis-cluster://host:port,host:port,... for a Redis Cluster (as the edges').",
                    REDIS,
                    1,
                    ConfigDef.Width.LONG,
                    REDIS_URL)
            .define(
                    REDIS_KEY_PREFIX,
                    Type.STRING,
                    "parley:",
                    Importance.LOW,
                    "Namespace of every Redis key.",
                    REDIS,
                    2,
                    ConfigDef.Width.SHORT,
                    REDIS_KEY_PREFIX)
            .define(
                    REDIS_TIMEOUT_MS,
                    Type.INT,
                    500,
                    Range.atLeast(1),
                    Importance.MEDIUM,
                    "Redis connect, read and pool-borrow timeout: how long a session lookup may hold a"
                            + " partition before the record is delivered to every known live edge.",
                    REDIS,
                    3,
                    ConfigDef.Width.SHORT,
                    REDIS_TIMEOUT_MS)
            .define(
                    REDIS_BREAKER_FAILURES,
                    Type.INT,
                    3,
                    Range.atLeast(1),
                    Importance.LOW,
                    "Consecutive failed or timed-out session lookups after which Redis counts as down: lookups"
                            + " then fail at once (delivery to every known live edge) instead of each waiting.",
                    REDIS,
                    4,
                    ConfigDef.Width.SHORT,
                    REDIS_BREAKER_FAILURES)
            .define(
                    REDIS_BREAKER_OPEN_MS,
                    Type.LONG,
                    1_000L,
                    Range.atLeast(10),
                    Importance.LOW,
                    "How long Redis counts as down before one lookup tries it again.",
                    REDIS,
                    5,
                    ConfigDef.Width.SHORT,
                    REDIS_BREAKER_OPEN_MS)
            .define(
                    DEDUP_WINDOW_MS,
                    Type.LONG,
                    TopologyConfig.DEFAULT_DEDUP_WINDOW.toMillis(),
                    Range.atLeast(1),
                    Importance.MEDIUM,
                    "How long a client message id is remembered for retries.",
                    RULES,
                    1,
                    ConfigDef.Width.SHORT,
                    DEDUP_WINDOW_MS)
            .define(
                    MAX_GROUP_MEMBERS,
                    Type.INT,
                    TopologyConfig.DEFAULT_MAX_GROUP_MEMBERS,
                    Range.atLeast(2),
                    Importance.MEDIUM,
                    "Member cap of a group.",
                    RULES,
                    2,
                    ConfigDef.Width.SHORT,
                    MAX_GROUP_MEMBERS)
            .define(
                    MAX_BODY_BYTES,
                    Type.INT,
                    TopologyConfig.DEFAULT_MAX_BODY_BYTES,
                    Range.atLeast(1),
                    Importance.MEDIUM,
                    "Largest message body in UTF-8 bytes.",
                    RULES,
                    3,
                    ConfigDef.Width.SHORT,
                    MAX_BODY_BYTES)
            .define(
                    RECEIPT_FANOUT_MAX_MEMBERS,
                    Type.INT,
                    TopologyConfig.DEFAULT_RECEIPT_FANOUT_MAX_MEMBERS,
                    Range.atLeast(0),
                    Importance.LOW,
                    "Receipts reach every member only in conversations up to this size.",
                    RULES,
                    4,
                    ConfigDef.Width.SHORT,
                    RECEIPT_FANOUT_MAX_MEMBERS)
            .define(
                    PREVIEW_CHARS,
                    Type.INT,
                    TopologyConfig.DEFAULT_PREVIEW_CHARS,
                    Range.atLeast(0),
                    Importance.LOW,
                    "Characters of the body a notification carries.",
                    RULES,
                    5,
                    ConfigDef.Width.SHORT,
                    PREVIEW_CHARS)
            .define(
                    EDIT_WINDOW_MS,
                    Type.LONG,
                    TopologyConfig.DEFAULT_EDIT_WINDOW.toMillis(),
                    Range.atLeast(0),
                    Importance.MEDIUM,
                    "How long after sending it its sender may edit a message (later: edit_window_closed).",
                    RULES,
                    5,
                    ConfigDef.Width.SHORT,
                    EDIT_WINDOW_MS)
            .define(
                    DELETE_WINDOW_MS,
                    Type.LONG,
                    TopologyConfig.DEFAULT_DELETE_WINDOW.toMillis(),
                    Range.atLeast(0),
                    Importance.MEDIUM,
                    "How long after sending it its sender may delete a message for everyone (group admins: any time)."
                            + " The message index (sender and time per message) keeps the longer of the two windows.",
                    RULES,
                    5,
                    ConfigDef.Width.SHORT,
                    DELETE_WINDOW_MS)
            .define(
                    RETENTION_MIN_SECONDS,
                    Type.LONG,
                    TopologyConfig.DEFAULT_MIN_RETENTION_SECONDS,
                    Range.atLeast(1),
                    Importance.LOW,
                    "Shortest disappearing-messages retention a conversation may set (DESIGN: 60 s; lower only in tests).",
                    RULES,
                    5,
                    ConfigDef.Width.SHORT,
                    RETENTION_MIN_SECONDS)
            .define(
                    MENTIONS_MAX_PER_MESSAGE,
                    Type.INT,
                    TopologyConfig.DEFAULT_MAX_MENTIONS,
                    Range.atLeast(0),
                    Importance.LOW,
                    "Most distinct mentioned users one message may carry (SendMessage.mentions): the members"
                            + " among them are kept on MessagePosted.mentions and notified; one more is refused"
                            + " with too_large, never cut. The edge's own mentions.max.per.message refuses"
                            + " before producing: keep it at most this.",
                    RULES,
                    5,
                    ConfigDef.Width.SHORT,
                    MENTIONS_MAX_PER_MESSAGE)
            .define(
                    CHANNEL_INTEREST_MAX_TTL_MS,
                    Type.LONG,
                    TopologyConfig.DEFAULT_CHANNEL_INTEREST_MAX_TTL.toMillis(),
                    Range.atLeast(1_000),
                    Importance.LOW,
                    "Longest an edge's registered interest in a channel lasts without renewal (a longer TTL asked"
                            + " for is cut to this): bounds how long a crashed edge still gets a channel's posts.",
                    RULES,
                    5,
                    ConfigDef.Width.SHORT,
                    CHANNEL_INTEREST_MAX_TTL_MS)
            .define(
                    NOTIFICATION_APPLICATION_ID,
                    Type.STRING,
                    "parley-notifications",
                    Importance.MEDIUM,
                    "Application id of NotificationTopology (its own consumer group and state).",
                    RULES,
                    6,
                    ConfigDef.Width.MEDIUM,
                    NOTIFICATION_APPLICATION_ID)
            .define(
                    SIGNALS_APPLICATION_ID,
                    Type.STRING,
                    null,
                    Importance.MEDIUM,
                    "Application id of SignalTopology, the at_least_once application relaying typing off the"
                            + " exactly-once path (its own consumer group; it reads the membership changelog of"
                            + " application.id); empty: application.id followed by -signals, so two"
                            + " deployments on one cluster never share it.",
                    RULES,
                    6,
                    ConfigDef.Width.MEDIUM,
                    SIGNALS_APPLICATION_ID)
            .define(
                    PUSH_MIN_INTERVAL_MS,
                    Type.LONG,
                    30_000L,
                    Range.atLeast(1_000),
                    Importance.MEDIUM,
                    "At most one push per device and conversation per interval; later ones are coalesced.",
                    RULES,
                    7,
                    ConfigDef.Width.SHORT,
                    PUSH_MIN_INTERVAL_MS)
            .define(
                    PUSH_MAX_PER_PUNCTUATION,
                    Type.INT,
                    NotificationTopology.DEFAULT_MAX_PER_PUNCTUATION,
                    Range.atLeast(1),
                    Importance.LOW,
                    "Pending push entries one punctuation (every second) of a NotificationTopology task may look"
                            + " at (release, reschedule or forget); more due entries wait for the next one, so a"
                            + " burst of held pushes never holds the stream thread for long.",
                    RULES,
                    8,
                    ConfigDef.Width.SHORT,
                    PUSH_MAX_PER_PUNCTUATION)
            .define(
                    METRICS_PORT,
                    Type.INT,
                    9464,
                    Range.between(0, 65535),
                    Importance.MEDIUM,
                    "Port of the Prometheus scrape endpoint (GET /metrics: Kafka Streams, consumer and producer"
                            + " metrics of both topologies, their state, JVM); 0 turns it off.",
                    "Operations",
                    1,
                    ConfigDef.Width.SHORT,
                    METRICS_PORT);

    public TopologySettings(Map<?, ?> originals) {
        super(CONFIG, originals, false);
    }

    public TopologyConfig topologyConfig() {
        return new TopologyConfig(
                Duration.ofMillis(getLong(DEDUP_WINDOW_MS)),
                getInt(MAX_GROUP_MEMBERS),
                getInt(MAX_BODY_BYTES),
                getInt(RECEIPT_FANOUT_MAX_MEMBERS),
                getInt(PREVIEW_CHARS),
                Duration.ofMillis(getLong(EDIT_WINDOW_MS)),
                Duration.ofMillis(getLong(DELETE_WINDOW_MS)),
                getLong(RETENTION_MIN_SECONDS),
                getInt(MENTIONS_MAX_PER_MESSAGE),
                Duration.ofMillis(getLong(CHANNEL_INTEREST_MAX_TTL_MS)));
    }

    /** Streams settings of NotificationTopology: the same, under its own application id and state folder. */
    public Properties notificationStreamsProperties() {
        Properties p = streamsProperties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, getString(NOTIFICATION_APPLICATION_ID));
        // a push may wait 100 ms more; waking its threads every 10 ms cost 0.04 of a core when idle
        p.put(StreamsConfig.POLL_MS_CONFIG, NOTIFICATION_POLL_MS);
        return p;
    }

    public String signalsApplicationId() {
        String id = getString(SIGNALS_APPLICATION_ID);
        return id == null || id.isBlank() ? getString(APPLICATION_ID) + "-signals" : id;
    }

    /**
     * Streams settings of SignalTopology: at_least_once (a typing signal lost in a crash is not worth
     * a commit wait), one thread, no producer linger (output is visible when written, so lingering
     * would be pure delay), and read_committed so that only committed membership is honoured.
     */
    public Properties signalsStreamsProperties() {
        Properties p = streamsProperties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, signalsApplicationId());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 0);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.ISOLATION_LEVEL_CONFIG), "read_committed");
        // at_least_once commits only offsets: the Streams default (30 s) is fine, a replay re-sends typing
        p.remove(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG);
        return p;
    }

    /** Streams settings: exactly_once_v2, a short commit interval and poll, producer linger up to the commit. */
    public Properties streamsProperties() {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, getString(APPLICATION_ID));
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, getString(BOOTSTRAP_SERVERS));
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, getLong(COMMIT_INTERVAL_MS));
        p.put(StreamsConfig.POLL_MS_CONFIG, getLong(POLL_MS));
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, getInt(STREAM_THREADS));
        p.put(StreamsConfig.STATE_DIR_CONFIG, getString(STATE_DIR));
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) getShort(REPLICATION_FACTOR));
        if (getInt(MIN_INSYNC_REPLICAS) != null) {
            p.put(
                    StreamsConfig.topicPrefix(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG),
                    getInt(MIN_INSYNC_REPLICAS).toString());
        }
        p.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, DeliveryTopicProductionHandler.class.getName());
        // an exception outside the rules dead-letters its input record instead of failing the
        // thread, which REPLACE_THREAD would restart on the same record forever
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, UnprocessableRecordHandler.class.getName());
        p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, UnprocessableRecordHandler.class.getName());
        // under exactly_once_v2 committed output is visible only at commit, and commit flushes the
        // producer: lingering up to the commit interval batches a commit's records into few requests
        // and costs committed readers no latency (linger 0 sent one request per record and saturated
        // the broker, see BENCHMARKS.md); early delivery reads uncommitted and wants less
        Integer linger = getInt(PRODUCER_LINGER_MS);
        p.put(
                StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG),
                linger != null ? linger : getLong(COMMIT_INTERVAL_MS).intValue());
        p.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), getInt(SESSION_TIMEOUT_MS));
        // a delivery topic that vanished must not hold the partition for the 60 s default
        p.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_BLOCK_MS_CONFIG), 10_000);
        return p;
    }
}
