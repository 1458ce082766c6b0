package dev.parley.standalone;

import dev.parley.schema.ConfigSources;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Settings of an embedded component taken from the environment, so the embedded default can be
 * tuned (and benchmarked) without a build: {@code PARLEY_TOPOLOGY_<KEY>} for ConversationTopology,
 * {@code PARLEY_EDGE_<KEY>} for the edge, the key as {@link ConfigSources#envName} spells it after
 * {@code PARLEY_} (e.g. {@code PARLEY_TOPOLOGY_COMMIT_INTERVAL_MS=20}). The keys {@code ./parley up}
 * wires itself (servers, ports, folders) are not taken: a value there would point a component away
 * from the broker or the data folder it was started with.
 */
final class ComponentOverrides {

    private ComponentOverrides() {}

    static Map<String, Object> fromEnv(
            String component, Set<String> definedKeys, Set<String> wired, Map<String, String> env) {
        Map<String, Object> out = new HashMap<>();
        for (String key : definedKeys) {
            if (wired.contains(key)) {
                continue;
            }
            String value = env.get(envName(component, key));
            if (value != null) {
                out.put(key, value);
            }
        }
        return out;
    }

    static String envName(String component, String key) {
        return "PARLEY_" + component + "_" + ConfigSources.envName(key).substring("PARLEY_".length());
    }
}
