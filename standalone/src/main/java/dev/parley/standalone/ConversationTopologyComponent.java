package dev.parley.standalone;

import dev.parley.topology.TopologyMain;
import dev.parley.topology.TopologySettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.streams.KafkaStreams;

/** ConversationTopology with its production settings, state under the data folder. */
final class ConversationTopologyComponent implements Component {

    private final Map<String, Object> settings;
    private TopologyMain.RunningTopology running;

    ConversationTopologyComponent(
            Path stateDir,
            String bootstrapServers,
            String redisUrl,
            int partitions,
            int metricsPort,
            Map<String, String> env) {
        Map<String, Object> defaults = Map.of(
                TopologySettings.BOOTSTRAP_SERVERS,
                bootstrapServers,
                TopologySettings.STATE_DIR,
                stateDir.toString(),
                TopologySettings.REDIS_URL,
                redisUrl,
                TopologySettings.TOPIC_PARTITIONS,
                partitions,
                // one instance: after a crash, its own restart should not wait 45 s for itself
                TopologySettings.SESSION_TIMEOUT_MS,
                10_000,
                // a thread (and transaction) per partition: a commit waits on the broker, and one
                // thread's commit no longer stalls the other partitions (BENCHMARKS.md)
                TopologySettings.STREAM_THREADS,
                partitions,
                TopologySettings.METRICS_PORT,
                metricsPort);
        this.settings = new HashMap<>(defaults);
        // PARLEY_TOPOLOGY_<KEY> tunes the rest (commit interval, threads, ...), never the wiring
        this.settings.putAll(ComponentOverrides.fromEnv(
                "TOPOLOGY",
                TopologySettings.CONFIG.names(),
                Set.of(
                        TopologySettings.BOOTSTRAP_SERVERS,
                        TopologySettings.STATE_DIR,
                        TopologySettings.REDIS_URL,
                        TopologySettings.TOPIC_PARTITIONS,
                        TopologySettings.METRICS_PORT),
                env));
    }

    /** What the topology is started with. */
    TopologySettings settings() {
        return new TopologySettings(settings);
    }

    @Override
    public String name() {
        return "conversation topology";
    }

    @Override
    public String start() throws Exception {
        running = TopologyMain.start(new TopologySettings(settings));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (running.streams().state() != KafkaStreams.State.RUNNING) {
            if (!running.streams().state().isRunningOrRebalancing()) {
                throw new StartupException(
                        "ConversationTopology stopped: " + running.streams().state());
            }
            if (System.nanoTime() > deadline) {
                throw new StartupException("ConversationTopology not running within 60 s");
            }
            Thread.sleep(50);
        }
        return running.metricsPort() == 0
                ? "exactly_once_v2"
                : "exactly_once_v2  metrics http://localhost:" + running.metricsPort() + "/metrics";
    }

    KafkaStreams.State state() {
        return running.streams().state();
    }

    @Override
    public void close() {
        if (running != null) {
            running.close();
        }
    }
}
