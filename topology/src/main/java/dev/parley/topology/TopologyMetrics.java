package dev.parley.topology;

import dev.parley.metrics.KafkaMeterBinder;
import dev.parley.metrics.MetricsEndpoint;
import dev.parley.metrics.PrometheusMetricsReporter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.internals.StreamThread;

/**
 * The topology process's Prometheus endpoint ({@code metrics.port}): every Kafka Streams metric of
 * both applications and of their consumers, producers and admin clients, pushed in by
 * {@link PrometheusMetricsReporter} as Kafka creates them (so a partition's lag shows from its
 * first fetch, not at the next poll of a binder), plus each application's state and the state of
 * its stream threads, which Kafka reports only as text, and the JVM meters.
 */
final class TopologyMetrics implements AutoCloseable {

    private final MetricsEndpoint endpoint;
    private final KafkaMeterBinder binder;

    private TopologyMetrics(MetricsEndpoint endpoint) {
        this.endpoint = endpoint;
        this.binder = new KafkaMeterBinder(endpoint.registry());
    }

    /** Opens the endpoint, or returns null when {@code port} is 0 (metrics off). */
    static TopologyMetrics open(int port) {
        return port == 0 ? null : new TopologyMetrics(MetricsEndpoint.open(port));
    }

    int port() {
        return endpoint.port();
    }

    /** The Streams properties, plus the reporter for the application and each of its clients. */
    Properties reportTo(Properties streams) {
        streams.put(StreamsConfig.METRIC_REPORTER_CLASSES_CONFIG, PrometheusMetricsReporter.class.getName());
        streams.put(PrometheusMetricsReporter.BINDER_CONFIG, binder);
        // Streams hands clients only their own keys, and prefixed ones: the binder needs the prefixes
        for (String prefix : new String[] {
            StreamsConfig.CONSUMER_PREFIX, StreamsConfig.PRODUCER_PREFIX, StreamsConfig.ADMIN_CLIENT_PREFIX
        }) {
            streams.put(
                    prefix + CommonClientConfigs.METRIC_REPORTER_CLASSES_CONFIG,
                    PrometheusMetricsReporter.class.getName());
            streams.put(prefix + PrometheusMetricsReporter.BINDER_CONFIG, binder);
        }
        return streams;
    }

    /** Gauges of one application's state and its threads' states, 1 for the current, 0 otherwise. */
    void watch(String applicationId, KafkaStreams app) {
        MeterRegistry registry = endpoint.registry();
        for (KafkaStreams.State state : KafkaStreams.State.values()) {
            Gauge.builder("parley.topology.state", app, a -> a.state() == state ? 1 : 0)
                    .description("1 for the application's current Kafka Streams state")
                    .tags("application", applicationId, "state", state.name())
                    .strongReference(true)
                    .register(registry);
        }
        for (StreamThread.State state : StreamThread.State.values()) {
            Gauge.builder("parley.topology.stream.threads", app, a -> threadsIn(a, state))
                    .description("stream threads of the application in this state")
                    .tags("application", applicationId, "state", state.name())
                    .strongReference(true)
                    .register(registry);
        }
    }

    private static double threadsIn(KafkaStreams app, StreamThread.State state) {
        try {
            return app.metadataForLocalThreads().stream()
                    .filter(t -> t.threadState().equals(state.name()))
                    .count();
        } catch (IllegalStateException notRunning) { // metadata is refused once the app is closed
            return 0;
        }
    }

    @Override
    public void close() {
        endpoint.close();
    }
}
