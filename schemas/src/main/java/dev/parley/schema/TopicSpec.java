package dev.parley.schema;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A topic's name and the settings provisioning gives it. Partition counts are defaults for one
 * machine; a cluster overrides them at provisioning time.
 *
 * @param retention {@code null} for compacted topics
 */
public record TopicSpec(String name, int partitions, boolean compacted, Duration retention) {

    /** Topic-level configs for AdminClient {@code NewTopic#configs}. */
    public Map<String, String> configs() {
        Map<String, String> configs = new LinkedHashMap<>();
        configs.put("cleanup.policy", compacted ? "compact" : "delete");
        if (retention != null) {
            configs.put("retention.ms", Long.toString(retention.toMillis()));
        }
        return configs;
    }
}
