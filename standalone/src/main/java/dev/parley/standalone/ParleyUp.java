package dev.parley.standalone;

import dev.parley.cassandra.CassandraNode;
import dev.parley.cassandra.CassandraNodeException;
import dev.parley.connect.push.PushSinkConfig;
import dev.parley.edge.EdgeSettings;
import dev.parley.edge.Migrate;
import dev.parley.schema.ConfigSources;
import dev.parley.schema.CqlMigrations;
import dev.parley.search.SearchNode;
import dev.parley.search.SearchNodeException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.slf4j.LoggerFactory;

/**
 * {@code ./parley up}: the whole system on one machine. Starts each component in dependency order
 * with one progress line each, then one "ready" line; Ctrl-C or SIGTERM stops them in reverse
 * order. Every piece of state lives under the data folder, so a second run loses nothing.
 */
public final class ParleyUp implements AutoCloseable {

    private final StandaloneSettings settings;
    private final Deque<Component> started = new ArrayDeque<>();
    private final long startNanos = System.nanoTime();

    ParleyUp(StandaloneSettings settings) {
        this.settings = settings;
    }

    public static void main(String[] args) throws InterruptedException {
        StandaloneSettings settings;
        ParleyUp up;
        try {
            settings = new StandaloneSettings(
                    ConfigSources.gather(StandaloneSettings.CONFIG.names(), null, System.getenv(), Map.of()));
            up = new ParleyUp(settings);
        } catch (RuntimeException e) {
            System.err.println("parley: " + e.getMessage());
            System.exit(2);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            up.close();
                            stopped.countDown();
                            haltIfExitHangs();
                        },
                        "parley-shutdown"));
        try {
            up.start();
        } catch (StartupException e) {
            System.err.println("parley: " + e.getMessage());
            System.exit(1);
        } catch (Exception e) {
            // the console gets one line with the innermost cause; the log file the whole chain
            LoggerFactory.getLogger(ParleyUp.class).error("start-up failed", e);
            Throwable cause = e;
            while (cause.getCause() != null && cause.getCause() != cause) {
                cause = cause.getCause();
            }
            System.err.println("parley: start-up failed: " + e + (cause == e ? "" : ", caused by " + cause)
                    + " (details in " + settings.dataDir().resolve("logs") + ")");
            System.exit(1);
        }
        stopped.await();
    }

    /**
     * Everything Parley started is stopped when this runs; a library's own shutdown hook that then
     * blocks (seen once: sink task threads Connect abandoned, retrying a broker already stopped)
     * must not keep the process alive. After 15 s the JVM is halted, with a line saying so.
     */
    private static void haltIfExitHangs() {
        Thread watchdog = new Thread(
                () -> {
                    try {
                        Thread.sleep(15_000);
                    } catch (InterruptedException e) {
                        return;
                    }
                    System.err.println("parley: shutdown hooks still running after 15 s; halting");
                    Runtime.getRuntime().halt(0);
                },
                "parley-exit-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    void start() throws Exception {
        Path data = settings.dataDir();
        // a Redis orphaned by a kill -9 of the last run still holds its port: ours to stop
        StaleProcesses.stop(data.resolve("redis").resolve("redis.pid"), "redis");
        Preflight.check(settings);
        System.out.println("parley: data in " + data);

        String cassandraClasspath;
        try {
            cassandraClasspath = CassandraNode.classpathFrom(
                    Path.of(settings.getString(StandaloneSettings.CASSANDRA_CLASSPATH_FILE)));
        } catch (CassandraNodeException e) {
            throw new StartupException(e.getMessage(), e);
        }
        CassandraComponent cassandra = new CassandraComponent(new CassandraNode(
                data.resolve("cassandra"),
                settings.getInt(StandaloneSettings.CASSANDRA_NATIVE_PORT),
                settings.getInt(StandaloneSettings.CASSANDRA_STORAGE_PORT),
                settings.getInt(StandaloneSettings.CASSANDRA_HEAP_MB),
                cassandraClasspath));
        String searchClasspath;
        try {
            searchClasspath =
                    SearchNode.classpathFrom(Path.of(settings.getString(StandaloneSettings.SEARCH_CLASSPATH_FILE)));
        } catch (SearchNodeException e) {
            throw new StartupException(e.getMessage(), e);
        }
        SearchComponent search = new SearchComponent(new SearchNode(
                data.resolve("search"),
                settings.getInt(StandaloneSettings.SEARCH_HTTP_PORT),
                settings.getInt(StandaloneSettings.SEARCH_TRANSPORT_PORT),
                settings.getInt(StandaloneSettings.SEARCH_HEAP_MB),
                searchClasspath));
        // the slowest parts start first and boot while the rest come up
        long cassandraLaunched = System.nanoTime();
        cassandra.launch();
        started.push(cassandra);
        long searchLaunched = System.nanoTime();
        search.launch();
        started.push(search);

        EmbeddedKafka kafka = new EmbeddedKafka(
                data.resolve("kafka"),
                settings.getInt(StandaloneSettings.KAFKA_PORT),
                settings.getInt(StandaloneSettings.KAFKA_CONTROLLER_PORT));
        run(kafka);
        EmbeddedRedis redis = new EmbeddedRedis(data.resolve("redis"), settings.getInt(StandaloneSettings.REDIS_PORT));
        run(redis);
        EmbeddedS3 s3 =
                new EmbeddedS3(data.resolve("media"), data.resolve("s3"), settings.getInt(StandaloneSettings.S3_PORT));
        run(s3);

        long t = System.nanoTime();
        int partitions = settings.getInt(StandaloneSettings.PARTITIONS);
        // the migrate step's first half, in-process: the topology and the edge only check the catalogue
        Migrate.topics(new EdgeSettings(Map.of(
                EdgeSettings.BOOTSTRAP_SERVERS, kafka.bootstrapServers(), EdgeSettings.TOPIC_PARTITIONS, partitions)));
        progress("topics", "catalogue provisioned", t);

        EmbeddedConnect connect = new EmbeddedConnect(
                data.resolve("connect"),
                kafka.bootstrapServers(),
                settings.getInt(StandaloneSettings.CONNECT_PORT),
                settings.getInt(StandaloneSettings.CONNECT_METRICS_PORT));
        run(connect);
        run(new ConversationTopologyComponent(
                data.resolve("streams"),
                kafka.bootstrapServers(),
                redis.url(),
                partitions,
                settings.getInt(StandaloneSettings.TOPOLOGY_METRICS_PORT),
                System.getenv()));

        progress(cassandra.name(), cassandra.start(), cassandraLaunched);
        t = System.nanoTime();
        // the migrate step of a cluster, in-process: the edge and the sinks only check the version
        Map<String, Object> migrate = new java.util.HashMap<>(s3.edgeSettings());
        migrate.put(EdgeSettings.CASSANDRA_CONTACT_POINT, cassandra.contactPoint());
        EdgeSettings migrateSettings = new EdgeSettings(migrate);
        List<Integer> applied = Migrate.cassandra(migrateSettings);
        Migrate.bucket(migrateSettings); // the media bucket, in the same step
        progress(
                "schema",
                "keyspace parley at version " + CqlMigrations.LATEST
                        + (applied.isEmpty() ? "" : " (applied " + applied + ")"),
                t);
        t = System.nanoTime();
        connect.deploy(SinkDeployments.cassandraSink(cassandra.contactPoint()));
        progress("cassandra sink", "parley.events.v1 -> keyspace parley", t);
        progress(search.name(), search.start(), searchLaunched);
        t = System.nanoTime();
        connect.deploy(SinkDeployments.searchSink(search.url()));
        progress("search sink", "parley.events.v1 -> alias parley-messages", t);
        int httpPort = settings.getInt(StandaloneSettings.HTTP_PORT);
        String pushFile = settings.getString(StandaloneSettings.PUSH_CONFIG_FILE);
        Map<String, String> pushSink = SinkDeployments.pushSink(
                cassandra.contactPoint(), kafka.bootstrapServers(), pushFile.isBlank() ? null : Path.of(pushFile));
        Map<String, Object> edgeSettings = new java.util.HashMap<>(s3.edgeSettings());
        // the page subscribes browsers to Web Push with the key the push sink signs with
        String vapidKey = pushSink.get(PushSinkConfig.VAPID_PUBLIC_KEY);
        if (vapidKey != null) {
            edgeSettings.put(EdgeSettings.WEBPUSH_VAPID_PUBLIC_KEY, vapidKey);
        }
        run(new EdgeComponent(
                data.resolve("edge"),
                httpPort,
                kafka.bootstrapServers(),
                redis.url(),
                cassandra.contactPoint(),
                search.url(),
                edgeSettings,
                System.getenv()));
        t = System.nanoTime();
        connect.deploy(pushSink);
        progress(
                "push sink",
                "parley.push.v1 -> "
                        + (pushFile.isBlank() ? "no provider configured (PARLEY_PUSH_CONFIG_FILE)" : pushFile),
                t);
        System.out.printf(
                Locale.ROOT,
                "parley: ready in %.1f s at http://localhost:%d (Ctrl-C stops everything)%n",
                seconds(startNanos),
                httpPort);
    }

    private void run(Component component) throws Exception {
        long t = System.nanoTime();
        started.push(component);
        progress(component.name(), component.start(), t);
    }

    private static void progress(String name, String detail, long sinceNanos) {
        System.out.printf(Locale.ROOT, "parley: %-22s ready in %5.1f s  %s%n", name, seconds(sinceNanos), detail);
    }

    private static double seconds(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1e9;
    }

    /** Stops everything started, newest first. */
    @Override
    public synchronized void close() {
        while (!started.isEmpty()) {
            Component c = started.pop();
            try {
                c.close();
                System.out.println("parley: stopped " + c.name());
            } catch (RuntimeException e) {
                System.err.println("parley: stopping " + c.name() + ": " + e.getMessage());
            }
        }
    }
}
