package dev.parley.testkit;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import dev.parley.cassandra.CassandraNode;
import dev.parley.schema.CassandraMigrator;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real Cassandra 5 node in its own JVM (the {@code cassandra-node} module's classpath), started
 * once per test JVM on free loopback ports; about 10 s. Tests isolate themselves with {@link
 * #newKeyspace()} (a name, nothing created) or {@link #newMigratedKeyspace()} (at the schema version of
 * this build, as the migrate step leaves it: what a test starting an edge or a sink needs). The node's classpath file is found at {@code ../cassandra-node/target/} from the
 * module under test, or where {@code -Dparley.cassandra.classpath.file} points.
 */
public final class CassandraNodeExtension implements BeforeAllCallback {

    private static volatile Running running;

    @Override
    public void beforeAll(ExtensionContext context) {
        synchronized (CassandraNodeExtension.class) {
            if (running == null) {
                running = JvmLifetime.stopAtExit(Running.start());
            }
        }
    }

    public static String host() {
        return "127.0.0.1";
    }

    public static int port() {
        if (running == null) {
            throw new IllegalStateException("annotate the test with @ExtendWith(CassandraNodeExtension.class)");
        }
        return running.node.nativePort();
    }

    /** The driver's local datacenter on this node (SimpleSnitch). */
    public static String localDatacenter() {
        return "datacenter1";
    }

    public static String newKeyspace() {
        return "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    }

    /** A fresh keyspace migrated to this build's schema version, as {@code parley migrate} leaves it. */
    public static String newMigratedKeyspace() {
        String keyspace = newKeyspace();
        migrate(keyspace);
        return keyspace;
    }

    /** Runs the migrate step on {@code keyspace} (replication factor 1), creating it if needed. */
    public static void migrate(String keyspace) {
        try (CqlSession session = session()) {
            new CassandraMigrator(session, keyspace, "{'class': 'SimpleStrategy', 'replication_factor': 1}").migrate();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Kills the shared node as a crash would, for a test of what a Cassandra outage does; {@link
     * #recover()} must follow (in a finally). Safe because a test JVM runs its classes one at a time,
     * and cheaper than a second node: a node start is most of such a test's time.
     */
    public static void crash() throws InterruptedException {
        running.node.kill();
    }

    /** Relaunches the node {@link #crash()} killed, on its ports and data (the commit log is replayed). */
    public static void recover() throws IOException, InterruptedException {
        running.node.launch();
        running.node.awaitReady();
    }

    /** A session to the node with no keyspace selected; the caller closes it. */
    public static CqlSession session() {
        return CqlSession.builder()
                .addContactPoint(new InetSocketAddress(host(), port()))
                .withLocalDatacenter(localDatacenter())
                .withConfigLoader(DriverConfigLoader.programmaticBuilder()
                        // each DDL otherwise waits about 1.1 s for schema agreement debouncing
                        .withDuration(DefaultDriverOption.METADATA_SCHEMA_WINDOW, Duration.ofMillis(10))
                        .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(10))
                        .build())
                .build();
    }

    private static final class Running implements AutoCloseable {
        private final CassandraNode node;

        private Running(CassandraNode node) {
            this.node = node;
        }

        static Running start() {
            try {
                Path classpathFile = Path.of(System.getProperty(
                        "parley.cassandra.classpath.file", "../cassandra-node/target/cassandra.classpath"));
                CassandraNode node = new CassandraNode(
                        Files.createTempDirectory("parley-cassandra"),
                        FreePorts.next(),
                        FreePorts.next(),
                        512,
                        CassandraNode.classpathFrom(classpathFile));
                node.awaitReady();
                return new Running(node);
            } catch (Exception e) {
                throw new IllegalStateException("cannot start Cassandra: " + e.getMessage(), e);
            }
        }

        /** At JVM exit: the data is throwaway, so kill instead of draining (which takes up to 30 s). */
        @Override
        public void close() throws Exception {
            node.kill();
        }
    }
}
