package dev.parley.connect.search;

import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/** Settings of {@link OpenSearchSinkConnector}. The README table lists every key. */
public final class OpenSearchSinkConfig extends AbstractConfig {

    public static final String URLS = "opensearch.urls";
    public static final String INDEX = "opensearch.index";
    public static final String SHARDS = "opensearch.index.shards";
    public static final String REPLICAS = "opensearch.index.replicas";
    public static final String REQUEST_TIMEOUT_MS = "opensearch.request.timeout.ms";
    public static final String BULK_MAX_ACTIONS = "opensearch.bulk.max.actions";
    public static final String BULK_MAX_BYTES = "opensearch.bulk.max.bytes";
    public static final String BULK_CONCURRENCY = "opensearch.bulk.concurrency";
    public static final String RETRY_BACKOFF_MS = "retry.backoff.ms";
    public static final String MAX_RETRIES = "max.retries";
    public static final String PURGE_INTERVAL_MS = "purge.interval.ms";
    public static final String PURGE_MAX_DOCS = "purge.max.docs";

    private static final String CONNECTION = "Connection";
    private static final String INDEX_GROUP = "Index";
    private static final String WRITES = "Writes";
    private static final String PURGE = "Purge";

    public static final ConfigDef CONFIG = new ConfigDef()
            .define(
                    URLS,
                    Type.LIST,
                    "http://127.0.0.1:9200",
                    Importance.HIGH,
                    "OpenSearch REST endpoints (scheme://host:port), tried in turn.",
                    CONNECTION,
                    1,
                    ConfigDef.Width.LONG,
                    URLS)
            .define(
                    REQUEST_TIMEOUT_MS,
                    Type.LONG,
                    10_000L,
                    Range.atLeast(100),
                    Importance.LOW,
                    "Timeout of one bulk request (connect and response).",
                    CONNECTION,
                    2,
                    ConfigDef.Width.SHORT,
                    REQUEST_TIMEOUT_MS)
            .define(
                    INDEX,
                    Type.STRING,
                    "parley-messages",
                    Importance.HIGH,
                    "The alias documents are written through (the edge searches the same alias); the"
                            + " task creates it, pointing at <alias>-v1, if it does not exist.",
                    INDEX_GROUP,
                    1,
                    ConfigDef.Width.MEDIUM,
                    INDEX)
            .define(
                    SHARDS,
                    Type.INT,
                    1,
                    Range.between(1, 1024),
                    Importance.MEDIUM,
                    "Primary shards of a new index (documents are routed by conversation id, so a"
                            + " conversation lives on one shard). Fixed once created: grow by a rebuild"
                            + " into a new index.",
                    INDEX_GROUP,
                    2,
                    ConfigDef.Width.SHORT,
                    SHARDS)
            .define(
                    REPLICAS,
                    Type.INT,
                    0,
                    Range.between(0, 16),
                    Importance.MEDIUM,
                    "Replicas of each shard of a new index (0 on a single node, else it never turns green).",
                    INDEX_GROUP,
                    3,
                    ConfigDef.Width.SHORT,
                    REPLICAS)
            .define(
                    BULK_MAX_ACTIONS,
                    Type.INT,
                    1_000,
                    Range.between(1, 10_000),
                    Importance.LOW,
                    "Documents per bulk request; a larger batch from the worker is split.",
                    WRITES,
                    1,
                    ConfigDef.Width.SHORT,
                    BULK_MAX_ACTIONS)
            .define(
                    BULK_MAX_BYTES,
                    Type.INT,
                    5 * 1024 * 1024,
                    Range.between(64 * 1024, 100 * 1024 * 1024),
                    Importance.LOW,
                    "Bytes per bulk request (OpenSearch refuses a request over http.max_content_length,"
                            + " 100 MiB); a single larger document is sent alone.",
                    WRITES,
                    2,
                    ConfigDef.Width.SHORT,
                    BULK_MAX_BYTES)
            .define(
                    BULK_CONCURRENCY,
                    Type.INT,
                    1,
                    Range.between(1, 32),
                    Importance.LOW,
                    "Bulk requests one task sends at once: a batch is split by document id into this"
                            + " many parts sent in parallel (all actions on one message in one part, in"
                            + " order, so an edit or delete never overtakes its message); the batch is"
                            + " done, or redelivered, once every part is answered. OpenSearch runs one bulk"
                            + " request on one write thread: raise it towards the node's cores to catch up"
                            + " faster (a rebuild) when the node has idle cores.",
                    WRITES,
                    3,
                    ConfigDef.Width.SHORT,
                    BULK_CONCURRENCY)
            .define(
                    RETRY_BACKOFF_MS,
                    Type.LONG,
                    1_000L,
                    Range.atLeast(10),
                    Importance.LOW,
                    "Wait, with the task's partitions paused, before a batch that failed on an unreachable or overloaded"
                            + " OpenSearch (429, 502-504, no connection, timeout) comes again.",
                    WRITES,
                    4,
                    ConfigDef.Width.SHORT,
                    RETRY_BACKOFF_MS)
            .define(
                    MAX_RETRIES,
                    Type.INT,
                    300,
                    Range.atLeast(0),
                    Importance.MEDIUM,
                    "Failed batches in a row, each on a transient error, before the task"
                            + " fails; at the default backoff, about five minutes of outage. Nothing past"
                            + " the unwritten records is committed: restart the task once OpenSearch is back.",
                    WRITES,
                    5,
                    ConfigDef.Width.SHORT,
                    MAX_RETRIES)
            .define(
                    PURGE_INTERVAL_MS,
                    Type.LONG,
                    300_000L,
                    Range.atLeast(0),
                    Importance.LOW,
                    "How often the connector's first task deletes documents past their expires_at"
                            + " (disappearing messages; searches leave them out already, this frees the"
                            + " space); 0 turns it off. A failed run is retried after a backoff doubling from"
                            + " retry.backoff.ms up to this interval.",
                    PURGE,
                    1,
                    ConfigDef.Width.SHORT,
                    PURGE_INTERVAL_MS)
            .define(
                    PURGE_MAX_DOCS,
                    Type.INT,
                    10_000,
                    Range.between(1, 1_000_000),
                    Importance.LOW,
                    "Documents one purge run deletes at most (one _delete_by_query with max_docs); a"
                            + " run that reaches it runs again after retry.backoff.ms, so a backlog drains"
                            + " in bounded steps.",
                    PURGE,
                    2,
                    ConfigDef.Width.SHORT,
                    PURGE_MAX_DOCS);

    public OpenSearchSinkConfig(Map<?, ?> originals) {
        super(CONFIG, originals);
    }
}
