package dev.parley.schema;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A topic's name and the settings provisioning gives it. Partition counts are defaults for one
 * machine; a cluster overrides them at provisioning time.
 *
 * @param retention {@code null} for compacted topics
 * @param brokerTimestamps records get the broker's append time ({@code LogAppendTime}), not the
 *     producer's clock: for topics whose timestamps drive state (the dedup window)
 */
public record TopicSpec(String name, int partitions, boolean compacted, Duration retention, boolean brokerTimestamps) {

    public static final String CLEANUP_POLICY = "cleanup.policy";
    public static final String RETENTION_MS = "retention.ms";
    public static final String TIMESTAMP_TYPE = "message.timestamp.type";

    public TopicSpec(String name, int partitions, boolean compacted, Duration retention) {
        this(name, partitions, compacted, retention, false);
    }

    /** Topic-level configs for AdminClient {@code NewTopic#configs}. */
    public Map<String, String> configs() {
        Map<String, String> configs = enforcedConfigs();
        if (retention != null) {
            configs.put(RETENTION_MS, Long.toString(retention.toMillis()));
        }
        return configs;
    }

    /**
     * The configs correctness depends on: provisioning sets them on a topic that already exists too
     * (an older release created it without). Retention is left as an operator may have tuned it.
     */
    public Map<String, String> enforcedConfigs() {
        Map<String, String> configs = new LinkedHashMap<>();
        configs.put(CLEANUP_POLICY, compacted ? "compact" : "delete");
        if (brokerTimestamps) {
            configs.put(TIMESTAMP_TYPE, "LogAppendTime");
        }
        return configs;
    }
}
