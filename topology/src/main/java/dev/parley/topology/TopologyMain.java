package dev.parley.topology;

import dev.parley.schema.ConfigSources;
import dev.parley.schema.ParleySerdes;
import dev.parley.schema.RedisCircuitBreaker;
import dev.parley.schema.RedisClients;
import dev.parley.schema.RedisKeys;
import dev.parley.schema.TopicCatalogueCheck;
import dev.parley.topology.notification.NotificationTopology;
import dev.parley.topology.routing.RedisSessionDirectory;
import dev.parley.topology.routing.SessionDirectory;
import dev.parley.topology.signal.SignalTopology;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;

/**
 * Runs ConversationTopology: {@code java dev.parley.topology.TopologyMain [settings.properties]},
 * settings also from {@code PARLEY_*} environment variables (see the README).
 */
public final class TopologyMain {

    private static final Logger log = LoggerFactory.getLogger(TopologyMain.class);

    private TopologyMain() {}

    public static void main(String[] args) throws InterruptedException {
        Path file = args.length > 0 ? Path.of(args[0]) : null;
        TopologySettings settings = new TopologySettings(
                ConfigSources.gather(TopologySettings.CONFIG.names(), file, System.getenv(), Map.of()));
        RunningTopology running;
        try {
            running = start(settings);
        } catch (TopicCatalogueCheck.TopicCatalogueMismatch e) {
            System.err.println("parley topology: " + e.getMessage()); // one line, no stack trace
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            running.close();
                            stopped.countDown();
                        },
                        "parley-topology-shutdown"));
        stopped.await();
    }

    private static Properties report(TopologyMetrics metrics, Properties streams) {
        return metrics == null ? streams : metrics.reportTo(streams);
    }

    /**
     * Checks the catalogue topics (the migrate step made them), then starts the streams applications.
     *
     * @throws TopicCatalogueCheck.TopicCatalogueMismatch when a topic is missing or has another
     *     partition count than {@code topics.partitions} names
     */
    public static RunningTopology start(TopologySettings settings) {
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.getString(TopologySettings.BOOTSTRAP_SERVERS)))) {
            // the migrate step creates and converges the catalogue; a topology only checks it
            TopicCatalogueCheck.require(admin, settings.getInt(TopologySettings.TOPIC_PARTITIONS));
        }
        // opened first: a port in use stops the start before anything else is running
        TopologyMetrics metrics = TopologyMetrics.open(settings.getInt(TopologySettings.METRICS_PORT));
        SessionDirectory sessions = new RedisSessionDirectory(
                redis(settings),
                new RedisCircuitBreaker(
                        "session directory",
                        settings.getInt(TopologySettings.REDIS_BREAKER_FAILURES),
                        Duration.ofMillis(settings.getLong(TopologySettings.REDIS_BREAKER_OPEN_MS)),
                        System::nanoTime),
                new RedisKeys(settings.getString(TopologySettings.REDIS_KEY_PREFIX)));
        KafkaStreams streams = new KafkaStreams(
                ConversationTopology.build(
                        settings.topologyConfig(),
                        new ParleySerdes(),
                        sessions,
                        settings.getLong(TopologySettings.COMMIT_AFTER_IDLE_MS)),
                report(metrics, settings.streamsProperties()));
        KafkaStreams notifications = new KafkaStreams(
                NotificationTopology.build(
                        Duration.ofMillis(settings.getLong(TopologySettings.PUSH_MIN_INTERVAL_MS)),
                        Duration.ofSeconds(1),
                        settings.getInt(TopologySettings.PUSH_MAX_PER_PUNCTUATION),
                        new ParleySerdes()),
                report(metrics, settings.notificationStreamsProperties()));
        KafkaStreams signals = new KafkaStreams(
                SignalTopology.build(settings.getString(TopologySettings.APPLICATION_ID), new ParleySerdes(), sessions),
                report(metrics, settings.signalsStreamsProperties()));
        if (metrics != null) {
            metrics.watch(settings.getString(TopologySettings.APPLICATION_ID), streams);
            metrics.watch(settings.getString(TopologySettings.NOTIFICATION_APPLICATION_ID), notifications);
            metrics.watch(settings.signalsApplicationId(), signals);
        }
        // SignalTopology reads the membership changelog, which ConversationTopology creates when it
        // first runs: started once that has happened (a missing source topic would fail its thread)
        streams.setStateListener((now, before) -> {
            if (now == KafkaStreams.State.RUNNING && signals.state() == KafkaStreams.State.CREATED) {
                Thread starter = new Thread(signals::start, "parley-signals-start");
                starter.setDaemon(true);
                starter.start();
            }
        });
        for (KafkaStreams app : new KafkaStreams[] {streams, notifications, signals}) {
            // a failed thread is replaced: with exactly_once_v2 its open transaction is aborted and redone
            app.setUncaughtExceptionHandler(e -> {
                log.error("stream thread failed; replacing it", e);
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
            });
        }
        streams.start();
        notifications.start();
        return new RunningTopology(streams, notifications, signals, sessions, metrics);
    }

    /**
     * A single Redis or a cluster, by {@code redis.url}, every wait bounded by {@code
     * redis.timeout.ms} ({@link RedisClients}). One connection (per node) per stream thread,
     * SignalTopology's thread, plus the invalidation subscription.
     */
    private static UnifiedJedis redis(TopologySettings settings) {
        return RedisClients.connect(
                settings.getString(TopologySettings.REDIS_URL),
                settings.getInt(TopologySettings.REDIS_TIMEOUT_MS),
                settings.getInt(TopologySettings.STREAM_THREADS) + 3);
    }

    /**
     * The started topologies (SignalTopology once ConversationTopology first ran); closing stops them cleanly, then the session directory and the
     * metrics endpoint (null when {@code metrics.port} is 0).
     */
    public record RunningTopology(
            KafkaStreams streams,
            KafkaStreams notifications,
            KafkaStreams signals,
            SessionDirectory sessions,
            TopologyMetrics metrics)
            implements AutoCloseable {
        /** The port serving {@code /metrics}, or 0 when metrics are off. */
        public int metricsPort() {
            return metrics == null ? 0 : metrics.port();
        }

        @Override
        public void close() {
            // leaving the group hands this instance's tasks over now, not after the session timeout
            CloseOptions leave = CloseOptions.timeout(Duration.ofSeconds(30))
                    .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP);
            signals.close(leave);
            notifications.close(leave);
            streams.close(leave);
            sessions.close();
            if (metrics != null) {
                metrics.close();
            }
        }
    }
}
