package dev.parley.edge;

import dev.parley.metrics.KafkaMeterBinder;
import dev.parley.metrics.PrometheusMetricsReporter;
import dev.parley.schema.RedisCircuitBreaker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import org.apache.kafka.clients.CommonClientConfigs;

/** The edge's Prometheus metrics: connections, frames in and out, send-to-sent latency, errors by code. */
public final class EdgeMetrics {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicLong deliveryLag = new AtomicLong();
    private final Counter framesIn;
    private final Counter framesOut;
    private final Counter sendFailures;
    private final Counter slowConsumers;
    private final Timer sendToSent;
    private final Map<String, Long> sendsInFlight = new ConcurrentHashMap<>();

    public EdgeMetrics() {
        bindProcessMeters();
        registry.gauge("parley_edge_connections", connections);
        registry.gauge("parley_edge_delivery_lag", deliveryLag);
        framesIn = registry.counter("parley_edge_frames_in");
        framesOut = registry.counter("parley_edge_frames_out");
        sendFailures = registry.counter("parley_edge_socket_send_failures");
        slowConsumers = registry.counter("parley_edge_slow_consumers_closed");
        sendToSent = Timer.builder("parley_edge_send_to_sent")
                .description("from a send frame read to its sent frame written")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry);
    }

    /** {@code parley_edge_redis_available}: 1 while the breaker lets Redis calls through, else 0. */
    public void watch(RedisCircuitBreaker redis) {
        registry.gauge("parley_edge_redis_available", redis, b -> b.isClosed() ? 1 : 0);
    }

    /** {@code parley_edge_http_commands_waiting}: HTTP commands waiting for the topology's answer. */
    public void watchHttpCommands(IntSupplier waiting) {
        // a strong reference: the registry holds gauges' objects weakly, and nobody else holds this one
        Gauge.builder("parley_edge_http_commands_waiting", waiting::getAsInt)
                .strongReference(true)
                .register(registry);
    }

    /**
     * Records of this edge's delivery topic not read yet. The topic is read without a consumer group
     * (no group lag on the broker to watch), so the edge reports it.
     */
    public void deliveryLag(long records) {
        deliveryLag.set(records);
    }

    public void connectionOpened() {
        connections.incrementAndGet();
    }

    public void connectionClosed() {
        connections.decrementAndGet();
    }

    public void frameIn() {
        framesIn.increment();
    }

    public Counter framesOut() {
        return framesOut;
    }

    public Counter sendFailures() {
        return sendFailures;
    }

    public Counter slowConsumers() {
        return slowConsumers;
    }

    public void error(String code) {
        registry.counter("parley_edge_errors", "code", code).increment();
    }

    /**
     * {@code parley_edge_early_frames{outcome}}: early (tentative) frames sent, and how they ended:
     * confirmed, replaced by another committed message, or retracted (their transaction aborted).
     */
    public void earlyDelivery(String outcome, int sockets) {
        registry.counter("parley_edge_early_frames", "outcome", outcome).increment(sockets);
    }

    public void sendStarted(String connectionId, String clientId) {
        if (sendsInFlight.size() < 100_000) { // bounded: an unanswered send must not leak forever
            sendsInFlight.put(connectionId + '\u0000' + clientId, System.nanoTime());
        }
    }

    /** A send refused before it was produced (rate_limited, too_large): no latency to record. */
    public void sendRefused(String connectionId, String clientId) {
        sendsInFlight.remove(connectionId + '\u0000' + clientId);
    }

    public void sendAnswered(String connectionId, String clientId) {
        Long started = sendsInFlight.remove(connectionId + '\u0000' + clientId);
        if (started != null) {
            sendToSent.record(Duration.ofNanos(System.nanoTime() - started));
        }
    }

    // --- process and Kafka client meters (the same as the topology's and Connect's) ---
    private final KafkaMeterBinder kafka = new KafkaMeterBinder(registry);

    private void bindProcessMeters() {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry); // lives as long as the process: never closed
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
    }

    /** Consumer or producer keys reporting that client's metrics here (the delivery topic's lag). */
    public Map<String, Object> kafkaClientReporter() {
        return Map.of(
                CommonClientConfigs.METRIC_REPORTER_CLASSES_CONFIG,
                PrometheusMetricsReporter.class.getName(),
                PrometheusMetricsReporter.BINDER_CONFIG,
                kafka);
    }

    public String scrape() {
        return registry.scrape();
    }
}
