package dev.parley.standalone;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/** Settings of {@code ./parley up}; each also as {@code PARLEY_<KEY>} in the environment. */
final class StandaloneSettings extends AbstractConfig {

    static final String DATA_DIR = "data.dir";
    static final String HTTP_PORT = "http.port";
    static final String KAFKA_PORT = "kafka.port";
    static final String KAFKA_CONTROLLER_PORT = "kafka.controller.port";
    static final String REDIS_PORT = "redis.port";
    static final String CASSANDRA_NATIVE_PORT = "cassandra.native.port";
    static final String CASSANDRA_STORAGE_PORT = "cassandra.storage.port";
    static final String CASSANDRA_HEAP_MB = "cassandra.heap.mb";
    static final String CASSANDRA_CLASSPATH_FILE = "cassandra.classpath.file";
    static final String SEARCH_HTTP_PORT = "search.http.port";
    static final String SEARCH_TRANSPORT_PORT = "search.transport.port";
    static final String SEARCH_HEAP_MB = "search.heap.mb";
    static final String SEARCH_CLASSPATH_FILE = "search.classpath.file";
    static final String CONNECT_PORT = "connect.port";
    static final String PARTITIONS = "topics.partitions";
    static final String PUSH_CONFIG_FILE = "push.config.file";
    static final String TOPOLOGY_METRICS_PORT = "topology.metrics.port";
    static final String CONNECT_METRICS_PORT = "connect.metrics.port";
    static final String S3_PORT = "s3.port";

    static final ConfigDef CONFIG = new ConfigDef()
            .define(
                    DATA_DIR,
                    Type.STRING,
                    "./data",
                    Importance.HIGH,
                    "Folder for all state (Kafka log, Cassandra, Redis, Streams, Connect offsets, logs); a restart reuses it.")
            .define(
                    HTTP_PORT,
                    Type.INT,
                    8080,
                    Range.between(1, 65535),
                    Importance.HIGH,
                    "The edge's HTTP and WebSocket port.")
            .define(KAFKA_PORT, Type.INT, 9092, Range.between(1, 65535), Importance.MEDIUM, "Kafka broker port.")
            .define(
                    KAFKA_CONTROLLER_PORT,
                    Type.INT,
                    9093,
                    Range.between(1, 65535),
                    Importance.LOW,
                    "Kafka KRaft controller port.")
            .define(REDIS_PORT, Type.INT, 6379, Range.between(1, 65535), Importance.MEDIUM, "Redis port.")
            .define(
                    CASSANDRA_NATIVE_PORT,
                    Type.INT,
                    9042,
                    Range.between(1, 65535),
                    Importance.MEDIUM,
                    "Cassandra CQL port.")
            .define(
                    CASSANDRA_STORAGE_PORT,
                    Type.INT,
                    7000,
                    Range.between(1, 65535),
                    Importance.LOW,
                    "Cassandra inter-node port (bound even on one node).")
            .define(CASSANDRA_HEAP_MB, Type.INT, 512, Range.atLeast(256), Importance.LOW, "Cassandra JVM heap.")
            .define(
                    CASSANDRA_CLASSPATH_FILE,
                    Type.STRING,
                    "cassandra-node/target/cassandra.classpath",
                    Importance.LOW,
                    "File listing the Cassandra node's classpath (written by the build).")
            .define(
                    SEARCH_HTTP_PORT,
                    Type.INT,
                    9200,
                    Range.between(1, 65535),
                    Importance.MEDIUM,
                    "OpenSearch REST port (the search sink writes, the edge searches).")
            .define(
                    SEARCH_TRANSPORT_PORT,
                    Type.INT,
                    9300,
                    Range.between(1, 65535),
                    Importance.LOW,
                    "OpenSearch node-to-node port (bound even on one node).")
            .define(SEARCH_HEAP_MB, Type.INT, 256, Range.atLeast(128), Importance.LOW, "OpenSearch JVM heap.")
            .define(
                    SEARCH_CLASSPATH_FILE,
                    Type.STRING,
                    "search-node/target/search.classpath",
                    Importance.LOW,
                    "File listing the OpenSearch node's classpath (written by the build).")
            .define(CONNECT_PORT, Type.INT, 8083, Range.between(1, 65535), Importance.LOW, "Kafka Connect REST port.")
            .define(
                    PARTITIONS,
                    Type.INT,
                    3,
                    Range.atLeast(1),
                    Importance.LOW,
                    "Partitions of each topic at first creation (few: this is one machine).")
            .define(
                    PUSH_CONFIG_FILE,
                    Type.STRING,
                    "",
                    Importance.MEDIUM,
                    "Properties file of push sink keys (apns.*, fcm.*, webpush.*, push.*); empty: no provider, pushes are skipped.")
            .define(
                    TOPOLOGY_METRICS_PORT,
                    Type.INT,
                    9464,
                    Range.between(0, 65535),
                    Importance.LOW,
                    "Prometheus /metrics of the topologies (Kafka Streams, their clients, JVM); 0: off.")
            .define(
                    CONNECT_METRICS_PORT,
                    Type.INT,
                    9465,
                    Range.between(0, 65535),
                    Importance.LOW,
                    "Prometheus /metrics of the Connect worker (sink tasks, their consumers, dead letters, JVM); 0: off.")
            .define(
                    S3_PORT,
                    Type.INT,
                    8333,
                    Range.between(1, 65535),
                    Importance.LOW,
                    "Port of the in-process S3 API server (S3Proxy) media is stored in, under data/media.");

    StandaloneSettings(Map<?, ?> originals) {
        super(CONFIG, originals, false);
    }

    Path dataDir() {
        return Path.of(getString(DATA_DIR)).toAbsolutePath().normalize();
    }

    /** Ports that must be free before anything starts, by setting name. */
    Map<String, Integer> ports() {
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (String key : new String[] {
            HTTP_PORT,
            KAFKA_PORT,
            KAFKA_CONTROLLER_PORT,
            REDIS_PORT,
            CASSANDRA_NATIVE_PORT,
            CASSANDRA_STORAGE_PORT,
            SEARCH_HTTP_PORT,
            SEARCH_TRANSPORT_PORT,
            CONNECT_PORT,
            TOPOLOGY_METRICS_PORT,
            CONNECT_METRICS_PORT,
            S3_PORT
        }) {
            if (getInt(key) != 0) {
                ports.put(key, getInt(key));
            }
        }
        return ports;
    }
}
