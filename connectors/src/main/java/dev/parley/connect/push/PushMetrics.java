package dev.parley.connect.push;

import dev.parley.schema.Platform;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.CumulativeCount;

/**
 * What providers did with this task's pushes, counted per provider and outcome as Connect plugin
 * metrics (KIP-877): group {@code plugins}, metric {@code push-outcomes-total}, tags {@code
 * connector}, {@code task} (the worker's), {@code provider}, {@code outcome}. Every metrics
 * reporter of the worker sees them: JMX, and Prometheus as {@code kafka_plugins_push_outcomes_total}.
 * Registered at start with 0, so a rate query has a series before the first push. Without a worker
 * (task tests) nothing is counted.
 */
final class PushMetrics {

    enum Outcome {
        /** The provider accepted the push. */
        ACCEPTED,
        /** The token was dead; the device was removed. */
        DEVICE_GONE,
        /** Throttled, a provider error or a network failure: tried again later. */
        RETRIED,
        /** Failed for good or out of tries: written to the dead-letter topic. */
        DEAD_LETTERED,
        /** No credentials for the platform: not sent. */
        SKIPPED
    }

    private final Map<Platform, Map<Outcome, Sensor>> sensors = new EnumMap<>(Platform.class);

    /** @param metrics the task's plugin metrics, or null when there is no worker */
    PushMetrics(PluginMetrics metrics) {
        if (metrics == null) {
            return;
        }
        // sensor names are global in the worker: unique per task instance
        String prefix = "parley-push-" + UUID.randomUUID() + "-";
        for (Platform platform : Platform.values()) {
            Map<Outcome, Sensor> byOutcome = new EnumMap<>(Outcome.class);
            for (Outcome outcome : Outcome.values()) {
                LinkedHashMap<String, String> tags = new LinkedHashMap<>();
                tags.put("provider", platform.name().toLowerCase(Locale.ROOT));
                tags.put("outcome", outcome.name().toLowerCase(Locale.ROOT));
                Sensor sensor = metrics.addSensor(prefix + platform + "-" + outcome);
                sensor.add(
                        metrics.metricName("push-outcomes-total", "Pushes per provider and outcome.", tags),
                        new CumulativeCount());
                byOutcome.put(outcome, sensor);
            }
            sensors.put(platform, byOutcome);
        }
    }

    void record(Platform platform, Outcome outcome) {
        Map<Outcome, Sensor> byOutcome = sensors.get(platform);
        if (byOutcome != null) {
            byOutcome.get(outcome).record();
        }
    }
}
