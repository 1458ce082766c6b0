package dev.parley.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.metrics.Measurable;
import org.apache.kafka.common.metrics.MetricsReporter;
import org.apache.kafka.common.metrics.stats.CumulativeCount;
import org.apache.kafka.common.metrics.stats.CumulativeSum;

/**
 * A Kafka {@link MetricsReporter} that serves every metric of the client or Connect worker it is
 * configured on at {@code http://host:<parley.metrics.port>/metrics}, in Prometheus format, with
 * the names Micrometer's own Kafka binders give them ({@code kafka.<group without -metrics>.<name>},
 * dashes as dots, so a Prometheus name such as {@code kafka_sink_task_put_batch_max_time_ms} or
 * {@code kafka_consumer_fetch_manager_records_lag_max}); cumulative totals are counters, the rest
 * gauges, values that are not numbers (versions, class names) are left out. Strimzi's
 * {@code KafkaPrometheusMetricsReporter} takes the same route: configured by the worker, it needs
 * no code in the process.
 *
 * <p>Set on a Connect worker: {@code metric.reporters} (worker, connector and task metrics, the
 * dead-letter counts), {@code consumer.metric.reporters} (each sink task's consumer: lag per
 * partition) and {@code producer.metric.reporters} (dead-letter producers). Kafka creates one
 * reporter per client by reflection, so all reporters of one port share one endpoint: a JVM-wide
 * table, the one static state here, as Kafka's own {@code JmxReporter} shares the platform MBean
 * server. The endpoint closes with its last reporter.
 *
 * <p>Prometheus needs one set of label names per metric name; Kafka has some metrics at two
 * levels (a client's {@code records-lag-max} and each partition's). As in Micrometer, the one with
 * more tags wins.
 */
public final class PrometheusMetricsReporter implements MetricsReporter {

    /** The port of the scrape endpoint, shared by every reporter of the process that names it. */
    public static final String PORT_CONFIG = "parley.metrics.port";

    public static final int DEFAULT_PORT = 9465;

    private static final Map<Integer, SharedEndpoint> ENDPOINTS = new HashMap<>();

    private SharedEndpoint endpoint;

    @Override
    public void configure(Map<String, ?> configs) {
        Object value = configs.get(PORT_CONFIG);
        int port;
        try {
            port = value == null ? DEFAULT_PORT : Integer.parseInt(value.toString().trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(PORT_CONFIG, value, "not a port number");
        }
        if (port < 1 || port > 65535) {
            throw new ConfigException(PORT_CONFIG, value, "must be 1-65535");
        }
        synchronized (ENDPOINTS) {
            endpoint = ENDPOINTS.computeIfAbsent(port, p -> new SharedEndpoint(MetricsEndpoint.open(p)));
            endpoint.users++;
        }
    }

    @Override
    public void init(List<KafkaMetric> metrics) {
        metrics.forEach(this::metricChange);
    }

    @Override
    public void metricChange(KafkaMetric metric) {
        endpoint.bind(metric);
    }

    @Override
    public void metricRemoval(KafkaMetric metric) {
        endpoint.unbind(metric.metricName());
    }

    @Override
    public void close() {
        synchronized (ENDPOINTS) {
            if (endpoint != null && --endpoint.users == 0) {
                ENDPOINTS.values().remove(endpoint);
                endpoint.metrics.close();
            }
            endpoint = null;
        }
    }

    /** The Micrometer name Kafka's binders give a Kafka metric: {@code kafka.<group>.<name>}. */
    static String meterName(MetricName name) {
        return ("kafka." + name.group() + "." + name.name())
                .replaceAll("-metrics", "")
                .replace('-', '.');
    }

    static List<Tag> meterTags(MetricName name) {
        List<Tag> tags = new ArrayList<>();
        name.tags().forEach((k, v) -> tags.add(Tag.of(k.replace('-', '.'), v)));
        return tags;
    }

    /** One endpoint and what is bound to it; guarded by its own monitor. */
    private static final class SharedEndpoint {
        final MetricsEndpoint metrics;
        int users; // guarded by ENDPOINTS
        private final Map<MetricName, Meter> bound = new HashMap<>();
        private final Map<String, Set<String>> tagKeysByName = new HashMap<>();

        SharedEndpoint(MetricsEndpoint metrics) {
            this.metrics = metrics;
        }

        synchronized void bind(KafkaMetric metric) {
            MetricName name = metric.metricName();
            if (bound.containsKey(name) || !(metric.metricValue() instanceof Number)) {
                return;
            }
            String meterName = meterName(name);
            Set<String> keys = new TreeSet<>(name.tags().keySet());
            Set<String> current = tagKeysByName.get(meterName);
            if (current != null && !current.equals(keys)) {
                if (!keys.containsAll(current)) {
                    return; // a coarser view of a metric already bound per partition or topic
                }
                removeAll(meterName);
            }
            tagKeysByName.put(meterName, keys);
            bound.put(name, register(metrics.registry(), metric, meterName));
        }

        synchronized void unbind(MetricName name) {
            Meter meter = bound.remove(name);
            if (meter != null) {
                metrics.registry().remove(meter);
                String meterName = meterName(name);
                if (bound.keySet().stream().noneMatch(n -> meterName(n).equals(meterName))) {
                    tagKeysByName.remove(meterName);
                }
            }
        }

        private void removeAll(String meterName) {
            for (MetricName n : new HashSet<>(bound.keySet())) {
                if (meterName(n).equals(meterName)) {
                    metrics.registry().remove(bound.remove(n));
                }
            }
        }

        private static Meter register(MeterRegistry registry, KafkaMetric metric, String meterName) {
            List<Tag> tags = meterTags(metric.metricName());
            String description = metric.metricName().description();
            if (isCumulative(metric)) {
                return FunctionCounter.builder(meterName, metric, SharedEndpoint::value)
                        .tags(tags)
                        .description(description)
                        .register(registry);
            }
            return Gauge.builder(meterName, metric, SharedEndpoint::value)
                    .tags(tags)
                    .description(description)
                    .register(registry);
        }

        private static boolean isCumulative(KafkaMetric metric) {
            try {
                Measurable m = metric.measurable();
                return m instanceof CumulativeSum || m instanceof CumulativeCount;
            } catch (IllegalStateException notMeasurable) { // a Gauge: its value may go down
                return false;
            }
        }

        private static double value(KafkaMetric metric) {
            return metric.metricValue() instanceof Number n ? n.doubleValue() : Double.NaN;
        }
    }
}
