package dev.parley.testkit;

import dev.parley.search.SearchNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real OpenSearch 2.19 node in its own JVM (the {@code search-node} module's classpath, 384 MB
 * heap), started once per test JVM on free loopback ports; 3-25 s depending on the machine's load.
 * Tests isolate themselves with {@link #newIndexName()} (a name, nothing created): the sink and the
 * edge take the alias name as configuration. The node's classpath file is found at {@code
 * ../search-node/target/} from the module under test, or where {@code -Dparley.search.classpath.file}
 * points.
 */
public final class OpenSearchNodeExtension implements BeforeAllCallback {

    private static volatile Running running;

    @Override
    public void beforeAll(ExtensionContext context) {
        synchronized (OpenSearchNodeExtension.class) {
            if (running == null) {
                running = JvmLifetime.stopAtExit(Running.start());
            }
        }
    }

    /** The REST endpoint, e.g. {@code http://127.0.0.1:40123}. */
    public static String url() {
        if (running == null) {
            throw new IllegalStateException("annotate the test with @ExtendWith(OpenSearchNodeExtension.class)");
        }
        return running.node.url();
    }

    /** A fresh lower-case index (alias) name no other test uses. */
    public static String newIndexName() {
        return "t-" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    }

    /** The classpath of a node, for tests that start (and stop) one of their own. */
    public static String classpath() {
        return SearchNode.classpathFrom(
                Path.of(System.getProperty("parley.search.classpath.file", "../search-node/target/search.classpath")));
    }

    private static final class Running implements AutoCloseable {
        private final SearchNode node;

        private Running(SearchNode node) {
            this.node = node;
        }

        static Running start() {
            try {
                SearchNode node = new SearchNode(
                        Files.createTempDirectory("parley-search"),
                        FreePorts.next(),
                        FreePorts.next(),
                        384,
                        classpath());
                node.awaitReady();
                return new Running(node);
            } catch (Exception e) {
                throw new IllegalStateException("cannot start OpenSearch: " + e.getMessage(), e);
            }
        }

        /** At JVM exit: the data is throwaway, so kill instead of draining (which takes up to 30 s). */
        @Override
        public void close() throws Exception {
            node.kill();
        }
    }
}
