package dev.parley.connect.cassandra;

import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/** Settings of {@link CassandraSinkConnector}. The README table lists every key. */
public final class CassandraSinkConfig extends AbstractConfig {

    public static final String CONTACT_POINTS = "cassandra.contact.points";
    public static final String DATACENTER = "cassandra.datacenter";
    public static final String KEYSPACE = "cassandra.keyspace";
    public static final String REPLICATION = "cassandra.replication";
    public static final String MAX_IN_FLIGHT = "cassandra.max.in.flight";
    public static final String REQUEST_TIMEOUT_MS = "cassandra.request.timeout.ms";
    public static final String RETRY_BACKOFF_MS = "retry.backoff.ms";
    public static final String MAX_RETRIES = "max.retries";
    public static final String BATCH_MAX_BYTES = "cassandra.batch.max.bytes";

    private static final String CONNECTION = "Connection";
    private static final String WRITES = "Writes";

    public static final ConfigDef CONFIG = new ConfigDef()
            .define(
                    CONTACT_POINTS,
                    Type.LIST,
                    "127.0.0.1:9042",
                    Importance.HIGH,
                    "Cassandra host:port pairs.",
                    CONNECTION,
                    1,
                    ConfigDef.Width.LONG,
                    CONTACT_POINTS)
            .define(
                    DATACENTER,
                    Type.STRING,
                    "datacenter1",
                    Importance.HIGH,
                    "The driver's local datacenter.",
                    CONNECTION,
                    2,
                    ConfigDef.Width.SHORT,
                    DATACENTER)
            .define(
                    KEYSPACE,
                    Type.STRING,
                    "parley",
                    Importance.HIGH,
                    "Keyspace of the history tables.",
                    CONNECTION,
                    3,
                    ConfigDef.Width.SHORT,
                    KEYSPACE)
            .define(
                    REPLICATION,
                    Type.STRING,
                    "{'class': 'SimpleStrategy', 'replication_factor': 1}",
                    Importance.MEDIUM,
                    "Ignored since schema migrations (the migrate step creates the keyspace with the edge's cassandra.replication); kept so existing connector configs stay valid.",
                    CONNECTION,
                    4,
                    ConfigDef.Width.LONG,
                    REPLICATION)
            .define(
                    MAX_IN_FLIGHT,
                    Type.INT,
                    64,
                    Range.between(1, 1024),
                    Importance.MEDIUM,
                    "Concurrent asynchronous statements per task (64 measured best for one node here).",
                    WRITES,
                    1,
                    ConfigDef.Width.SHORT,
                    MAX_IN_FLIGHT)
            .define(
                    REQUEST_TIMEOUT_MS,
                    Type.LONG,
                    5_000L,
                    Range.atLeast(100),
                    Importance.LOW,
                    "Timeout of one write.",
                    WRITES,
                    2,
                    ConfigDef.Width.SHORT,
                    REQUEST_TIMEOUT_MS)
            .define(
                    RETRY_BACKOFF_MS,
                    Type.LONG,
                    2_000L,
                    Range.atLeast(10),
                    Importance.LOW,
                    "Wait, with the task's partitions paused, before a batch that failed on an unavailable Cassandra comes again.",
                    WRITES,
                    3,
                    ConfigDef.Width.SHORT,
                    RETRY_BACKOFF_MS)
            .define(
                    MAX_RETRIES,
                    Type.INT,
                    100,
                    Range.atLeast(0),
                    Importance.MEDIUM,
                    "Failed batches in a row, each on a transient error (timeout, unavailable,"
                            + " overloaded, no connection) before the task fails; at the default backoff, a few"
                            + " minutes of outage. Nothing past the unwritten record is committed: restart the"
                            + " task once Cassandra is back.",
                    WRITES,
                    4,
                    ConfigDef.Width.SHORT,
                    MAX_RETRIES)
            .define(
                    BATCH_MAX_BYTES,
                    Type.INT,
                    4 * 1024,
                    Range.between(1, 50 * 1024),
                    Importance.LOW,
                    "Bound values per unlogged single-partition batch; a larger row is written alone. Keep"
                            + " it under the server's batch_size_warn_threshold (5 KiB by default; batches over"
                            + " batch_size_fail_threshold, 50 KiB, are refused).",
                    WRITES,
                    5,
                    ConfigDef.Width.SHORT,
                    BATCH_MAX_BYTES);

    public CassandraSinkConfig(Map<?, ?> originals) {
        super(CONFIG, originals);
    }
}
