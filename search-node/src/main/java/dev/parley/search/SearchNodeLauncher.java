package dev.parley.search;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.logging.LogConfigurator;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.index.reindex.ReindexPlugin;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.transport.Netty4Plugin;

/**
 * Runs an OpenSearch node in a child JVM that dies with its parent. It starts the node directly
 * (not through {@code Bootstrap}: no security manager, jar-hell or bootstrap checks, which a
 * loopback single node needs none of) with the plugins given as classes, since the jars come from
 * Maven Central rather than a distribution's {@code plugins/} folder. The parent keeps the child's
 * stdin open and never writes to it; when the parent exits for any reason, even {@code kill -9},
 * the OS closes the pipe, the read below returns end of stream, and the node halts. The translog
 * makes the halt safe: a restart replays it and loses nothing acknowledged.
 */
public final class SearchNodeLauncher {

    private SearchNodeLauncher() {}

    public static void main(String[] args) throws Exception {
        Thread watcher = new Thread(SearchNodeLauncher::haltWhenParentDies, "parent-watcher");
        watcher.setDaemon(true);
        watcher.start();
        Path home = Path.of(System.getProperty("parley.search.home"));
        Environment env = InternalSettingsPreparer.prepareEnvironment(
                Settings.builder().put("path.home", home.toString()).build(),
                Map.of(),
                home.resolve("config"),
                () -> "parley-search");
        LogConfigurator.registerErrorListener();
        LogConfigurator.setNodeName("parley-search");
        LogConfigurator.configure(env);
        Node node = new PluginNode(env).start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> close(node), "search-node-stop"));
        // the node's own threads are daemons (Bootstrap keeps a thread of its own alive): wait for
        // the parent to go away, or for SIGTERM, whose hook closes the node cleanly
        watcher.join();
    }

    private static void close(Node node) {
        try {
            node.close();
        } catch (IOException e) {
            System.err.println("closing the node: " + e); // goes to logs/stdout.log
        }
    }

    /** The node with the plugins of a distribution that Parley needs, loaded from the classpath. */
    private static final class PluginNode extends Node {
        PluginNode(Environment env) {
            super(env, List.of(Netty4Plugin.class, CommonAnalysisPlugin.class, ReindexPlugin.class), true);
        }
    }

    private static void haltWhenParentDies() {
        InputStream in = System.in;
        try {
            while (in.read() != -1) {
                // the parent never writes; anything read is ignored
            }
        } catch (IOException e) {
            // a broken pipe means the same as end of stream: the parent is gone
        }
        Runtime.getRuntime().halt(0);
    }
}
