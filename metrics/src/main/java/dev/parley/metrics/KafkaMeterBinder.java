package dev.parley.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.metrics.Measurable;
import org.apache.kafka.common.metrics.stats.CumulativeCount;
import org.apache.kafka.common.metrics.stats.CumulativeSum;

/**
 * Binds Kafka metrics to one Micrometer registry as they appear and unbinds them as they go, with
 * the names Micrometer's own Kafka binders give them: {@code kafka.<group without -metrics>.<name>},
 * dashes as dots, tag keys likewise, so in Prometheus {@code kafka_stream_thread_commit_latency_avg}
 * or {@code kafka_consumer_fetch_manager_records_lag}. Cumulative totals become counters, the rest
 * gauges; values that are not numbers (versions, class names, topology descriptions) are left out.
 *
 * <p>Prometheus needs one set of label names per metric name, and Kafka has some metrics at two
 * levels (a client's {@code records-lag-max} and each partition's): as in Micrometer, the one with
 * more tags wins. One binder per registry, shared by every client reporting into it.
 */
public final class KafkaMeterBinder {

    private final MeterRegistry registry;
    private final Map<MetricName, Meter> bound = new HashMap<>();
    private final Map<String, Set<String>> tagKeysByName = new HashMap<>();

    public KafkaMeterBinder(MeterRegistry registry) {
        this.registry = registry;
    }

    public MeterRegistry registry() {
        return registry;
    }

    synchronized void bind(KafkaMetric metric) {
        MetricName name = metric.metricName();
        if (bound.containsKey(name)
                || !isNumeric(metric)
                || name.group().equals("kafka-metrics-count")) { // how many metrics a client has: noise
            return;
        }
        String meterName = meterName(name);
        Set<String> keys = new TreeSet<>(name.tags().keySet());
        Set<String> current = tagKeysByName.get(meterName);
        if (current != null && !current.equals(keys)) {
            if (!keys.containsAll(current)) {
                return; // a coarser view of a metric already bound per partition or topic
            }
            unbindAll(meterName);
        }
        tagKeysByName.put(meterName, keys);
        bound.put(name, register(metric, meterName));
    }

    synchronized void unbind(MetricName name) {
        Meter meter = bound.remove(name);
        if (meter != null) {
            registry.remove(meter);
            String meterName = meterName(name);
            if (bound.keySet().stream().noneMatch(n -> meterName(n).equals(meterName))) {
                tagKeysByName.remove(meterName);
            }
        }
    }

    private void unbindAll(String meterName) {
        bound.entrySet().removeIf(e -> {
            if (meterName(e.getKey()).equals(meterName)) {
                registry.remove(e.getValue());
                return true;
            }
            return false;
        });
    }

    private Meter register(KafkaMetric metric, String meterName) {
        List<Tag> tags = meterTags(metric.metricName());
        String description = metric.metricName().description();
        if (isCumulative(metric)) {
            return FunctionCounter.builder(meterName, metric, KafkaMeterBinder::value)
                    .tags(tags)
                    .description(description)
                    .register(registry);
        }
        return Gauge.builder(meterName, metric, KafkaMeterBinder::value)
                .tags(tags)
                .description(description)
                .register(registry);
    }

    /** The Micrometer name Kafka's binders give a Kafka metric: {@code kafka.<group>.<name>}. */
    static String meterName(MetricName name) {
        return ("kafka." + name.group() + "." + name.name())
                .replaceAll("-metrics", "")
                .replace('-', '.');
    }

    private static List<Tag> meterTags(MetricName name) {
        List<Tag> tags = new ArrayList<>();
        name.tags().forEach((k, v) -> tags.add(Tag.of(k.replace('-', '.'), v)));
        return tags;
    }

    private static boolean isCumulative(KafkaMetric metric) {
        try {
            Measurable m = metric.measurable();
            return m instanceof CumulativeSum || m instanceof CumulativeCount;
        } catch (IllegalStateException notMeasurable) { // a Gauge: its value may go down
            return false;
        }
    }

    /**
     * Measurable stats are numbers; a Gauge is read once to see. Some gauges cannot be read while
     * their owner is being built (Connect's task status): those are left out, and the error is
     * not passed on, since Kafka logs a reporter's exception as an ERROR.
     */
    private static boolean isNumeric(KafkaMetric metric) {
        if (metric.isMeasurable()) {
            return true;
        }
        try {
            return metric.metricValue() instanceof Number;
        } catch (RuntimeException notReadableYet) {
            return false;
        }
    }

    private static double value(KafkaMetric metric) {
        try {
            return metric.metricValue() instanceof Number n ? n.doubleValue() : Double.NaN;
        } catch (RuntimeException notReadable) {
            return Double.NaN;
        }
    }
}
