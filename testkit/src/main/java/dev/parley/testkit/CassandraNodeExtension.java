package dev.parley.testkit;

import dev.parley.cassandra.CassandraNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real Cassandra 5 node in its own JVM (the {@code cassandra-node} module's classpath), started
 * once per test JVM on free loopback ports; about 10 s. Tests isolate themselves with {@link
 * #newKeyspace()}. The node's classpath file is found at {@code ../cassandra-node/target/} from the
 * module under test, or where {@code -Dparley.cassandra.classpath.file} points.
 */
public final class CassandraNodeExtension implements BeforeAllCallback {

    private static volatile Running running;

    @Override
    public void beforeAll(ExtensionContext context) {
        synchronized (CassandraNodeExtension.class) {
            if (running == null) {
                running = context.getRoot()
                        .getStore(ExtensionContext.Namespace.GLOBAL)
                        .getOrComputeIfAbsent(Running.class, k -> Running.start(), Running.class);
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

    private static final class Running implements ExtensionContext.Store.CloseableResource, AutoCloseable {
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

        @Override
        public void close() {
            node.close();
        }
    }
}
