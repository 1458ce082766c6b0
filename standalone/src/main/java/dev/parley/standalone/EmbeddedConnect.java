package dev.parley.standalone;

import dev.parley.metrics.PrometheusMetricsReporter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.connect.cli.ConnectStandalone;
import org.apache.kafka.connect.runtime.Connect;
import org.apache.kafka.connect.runtime.standalone.StandaloneHerder;

/**
 * A Kafka Connect worker in this JVM, standalone mode with offsets in the data folder. Connectors
 * on the classpath are found through {@code META-INF/services} ({@code plugin.discovery=service_load}):
 * under a second and about 65 MB, against seconds and over 1 GB for classpath scanning.
 */
final class EmbeddedConnect implements Component {

    private final Path dir;
    private final String bootstrapServers;
    private final int restPort;
    private final int metricsPort;
    private Connect<StandaloneHerder> connect;

    EmbeddedConnect(Path dir, String bootstrapServers, int restPort, int metricsPort) {
        this.dir = dir;
        this.bootstrapServers = bootstrapServers;
        this.restPort = restPort;
        this.metricsPort = metricsPort;
    }

    @Override
    public String name() {
        return "connect";
    }

    StandaloneHerder herder() {
        return connect.herder();
    }

    @Override
    public String start() throws Exception {
        Files.createDirectories(dir);
        Map<String, String> worker = new HashMap<>(Map.of(
                "bootstrap.servers", bootstrapServers,
                "key.converter", "org.apache.kafka.connect.converters.ByteArrayConverter",
                "value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter",
                "offset.storage.file.filename", dir.resolve("offsets").toString(),
                "offset.flush.interval.ms", "1000",
                "listeners", "http://127.0.0.1:" + restPort,
                "plugin.discovery", "service_load",
                // the topologies write parley.events.v1 and parley.push.v1 in transactions: a sink
                // must not store or send what an aborted transaction wrote
                "consumer.isolation.level", "read_committed"));
        if (metricsPort != 0) {
            worker.putAll(metricsReporter(metricsPort));
        }
        connect = new ConnectStandalone().startConnect(worker);
        return "http://127.0.0.1:" + restPort
                + (metricsPort == 0 ? "" : "  metrics http://localhost:" + metricsPort + "/metrics");
    }

    /**
     * Worker keys putting the worker's metrics (connectors, tasks, dead letters, plugin metrics)
     * and those of the sink consumers (lag) and producers (dead letters) on one Prometheus
     * endpoint, as {@code deploy/connect-distributed.properties} does.
     */
    static Map<String, String> metricsReporter(int port) {
        Map<String, String> keys = new HashMap<>();
        for (String prefix : new String[] {"", "consumer.", "producer."}) {
            keys.put(prefix + "metric.reporters", PrometheusMetricsReporter.class.getName());
            keys.put(prefix + PrometheusMetricsReporter.PORT_CONFIG, Integer.toString(port));
        }
        return keys;
    }

    /** Registers (or updates) a connector and waits until the worker accepted it. */
    void deploy(Map<String, String> config) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        connect.herder().putConnectorConfig(config.get("name"), config, true, (error, info) -> {
            if (error == null) {
                done.complete(null);
            } else {
                done.completeExceptionally(error);
            }
        });
        done.get(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        if (connect != null) {
            connect.stop();
            connect.awaitStop();
        }
    }
}
