package dev.parley.metrics;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.metrics.MetricsReporter;

/**
 * A Kafka {@link MetricsReporter} putting every metric of the client, Streams application or
 * Connect worker it is configured on into a Prometheus registry (names: {@link KafkaMeterBinder}).
 * Strimzi's {@code KafkaPrometheusMetricsReporter} takes the same route: set in the configuration,
 * it needs no code in the process.
 *
 * <p>Where the registry comes from: a process that owns one (the topology) hands its binder over
 * as the config value {@code parley.metrics.binder}. Otherwise (a Connect worker, configured only
 * by properties) the reporter serves {@code GET /metrics} at {@code parley.metrics.port}. Kafka
 * creates one reporter per client by reflection, so all reporters naming one port share one
 * endpoint: a JVM-wide table, the one static state here, as Kafka's own {@code JmxReporter}
 * shares the platform MBean server. The endpoint closes with its last reporter.
 *
 * <p>On a Connect worker set {@code metric.reporters} (worker, connector and task metrics, the
 * dead-letter and retry counts, plugin metrics of the tasks), {@code consumer.metric.reporters}
 * (each sink task's consumer: lag per partition) and {@code producer.metric.reporters}
 * (dead-letter producers), each with the port ({@code consumer.parley.metrics.port}, ...).
 */
public final class PrometheusMetricsReporter implements MetricsReporter {

    /** The port of the scrape endpoint, shared by every reporter of the process that names it. */
    public static final String PORT_CONFIG = "parley.metrics.port";

    /** A {@link KafkaMeterBinder} object to report into instead of an endpoint of its own. */
    public static final String BINDER_CONFIG = "parley.metrics.binder";

    public static final int DEFAULT_PORT = 9465;

    private static final Map<Integer, SharedEndpoint> ENDPOINTS = new HashMap<>();

    private KafkaMeterBinder binder;
    private SharedEndpoint shared;
    /** What this client reported: a closed client's meters must not outlive it in a shared registry. */
    private final Set<MetricName> reported = ConcurrentHashMap.newKeySet();

    @Override
    public void configure(Map<String, ?> configs) {
        if (configs.get(BINDER_CONFIG) instanceof KafkaMeterBinder given) {
            binder = given;
            return;
        }
        Object value = configs.get(PORT_CONFIG);
        int port;
        try {
            port = value == null
                    ? DEFAULT_PORT
                    : Integer.parseInt(value.toString().trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(PORT_CONFIG, value, "not a port number");
        }
        if (port < 1 || port > 65535) {
            throw new ConfigException(PORT_CONFIG, value, "must be 1-65535");
        }
        synchronized (ENDPOINTS) {
            shared = ENDPOINTS.computeIfAbsent(port, p -> new SharedEndpoint(MetricsEndpoint.open(p)));
            shared.users++;
            binder = shared.binder;
        }
    }

    @Override
    public void init(List<KafkaMetric> metrics) {
        metrics.forEach(this::metricChange);
    }

    @Override
    public void metricChange(KafkaMetric metric) {
        reported.add(metric.metricName());
        binder.bind(metric);
    }

    @Override
    public void metricRemoval(KafkaMetric metric) {
        reported.remove(metric.metricName());
        binder.unbind(metric.metricName());
    }

    @Override
    public void close() {
        if (binder != null) {
            reported.forEach(binder::unbind);
            reported.clear();
        }
        synchronized (ENDPOINTS) {
            if (shared != null && --shared.users == 0) {
                ENDPOINTS.values().remove(shared);
                shared.endpoint.close();
            }
            shared = null;
        }
    }

    private static final class SharedEndpoint {
        final MetricsEndpoint endpoint;
        final KafkaMeterBinder binder;
        int users; // guarded by ENDPOINTS

        SharedEndpoint(MetricsEndpoint endpoint) {
            this.endpoint = endpoint;
            this.binder = new KafkaMeterBinder(endpoint.registry());
        }
    }
}
