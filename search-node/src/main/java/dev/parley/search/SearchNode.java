package dev.parley.search;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real OpenSearch 2.19 node in its own JVM, started from the classpath the build wrote to {@code
 * target/search.classpath} (the server, its netty transport, analysis-common and reindex). The
 * server brings its own log4j, Lucene, Jackson and netty, which is why it never shares our
 * classpath. The child runs {@link SearchNodeLauncher}, which halts the node when our process ends,
 * even by {@code kill -9} (the translog makes that safe). Ready means {@code _cluster/health}
 * answers green. Used by {@code ./parley up} and the test kit; this class runs in the parent JVM
 * and needs nothing but the JDK.
 */
public final class SearchNode implements AutoCloseable {

    private final Path dir;
    private final int httpPort;
    private final int transportPort;
    private final int heapMb;
    private final String classpath;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Process process;

    /** {@code dir}: the node's home; data under {@code dir/data}, logs under {@code dir/logs}. */
    public SearchNode(Path dir, int httpPort, int transportPort, int heapMb, String classpath) {
        this.dir = dir;
        this.httpPort = httpPort;
        this.transportPort = transportPort;
        this.heapMb = heapMb;
        this.classpath = classpath;
    }

    /** The classpath the build wrote for the node, plus the launcher's own classes. */
    public static String classpathFrom(Path classpathFile) {
        if (!Files.exists(classpathFile)) {
            throw new SearchNodeException(
                    "no OpenSearch classpath at " + classpathFile + ": run ./mvnw -B -DskipTests package");
        }
        Path moduleTarget = classpathFile.toAbsolutePath().getParent();
        try {
            String deps = Files.readString(classpathFile).strip();
            return moduleTarget.resolve("classes") + java.io.File.pathSeparator + deps;
        } catch (IOException e) {
            throw new SearchNodeException("cannot read " + classpathFile + ": " + e.getMessage(), e);
        }
    }

    /** The REST endpoint, e.g. {@code http://127.0.0.1:9200}. */
    public String url() {
        return "http://127.0.0.1:" + httpPort;
    }

    public int httpPort() {
        return httpPort;
    }

    /** The node's process id (for the benchmark's memory figures), or -1 before launch. */
    public long pid() {
        return process == null ? -1 : process.pid();
    }

    /** Launches the node and returns at once; {@link #awaitReady()} waits for it. */
    public void launch() throws IOException {
        Path config = dir.resolve("config");
        Files.createDirectories(config);
        Files.createDirectories(dir.resolve("logs"));
        Files.createDirectories(dir.resolve("tmp"));
        Files.writeString(config.resolve("opensearch.yml"), yaml());
        Files.writeString(
                config.resolve("log4j2.properties"),
                LOG4J.replace("LOGFILE", dir.resolve("logs/opensearch.log").toString()));
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xms" + heapMb + "m");
        command.add("-Xmx" + heapMb + "m");
        command.add("-XX:+UseG1GC");
        // log4j's own shutdown hook would otherwise stop logging before the node's shutdown is logged
        command.add("-Dlog4j.shutdownHookEnabled=false");
        command.add("-Dlog4j2.disable.jmx=true");
        command.add("-Djava.io.tmpdir=" + dir.resolve("tmp"));
        command.add("-Dparley.search.home=" + dir);
        command.add("-cp");
        command.add(classpath);
        command.add("dev.parley.search.SearchNodeLauncher");
        process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("logs/stdout.log").toFile())
                .redirectInput(ProcessBuilder.Redirect.PIPE) // kept open and empty: see SearchNodeLauncher
                .start();
    }

    /** Launches the node if needed and waits until the cluster is green. */
    public String awaitReady() throws IOException, InterruptedException {
        if (process == null || !process.isAlive()) {
            launch();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!green()) {
            if (!process.isAlive()) {
                throw new SearchNodeException("OpenSearch exited with " + process.exitValue() + "; see "
                        + dir.resolve("logs/opensearch.log") + " and " + dir.resolve("logs/stdout.log"));
            }
            if (System.nanoTime() > deadline) {
                throw new SearchNodeException(
                        "OpenSearch was not green within 120 s; see " + dir.resolve("logs/opensearch.log"));
            }
            Thread.sleep(100);
        }
        return url();
    }

    private boolean green() throws InterruptedException {
        try {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(URI.create(url() + "/_cluster/health?wait_for_status=green&timeout=1s"))
                            .timeout(Duration.ofSeconds(3))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 && response.body().contains("\"status\":\"green\"");
        } catch (IOException e) {
            return false; // not listening yet
        }
    }

    /** Stops on SIGTERM (the node flushes); a node that does not stop within 30 s is killed. */
    @Override
    public void close() {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** Kills the node without a flush, as a crash would (tests of the translog replay). */
    public void kill() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private String yaml() {
        return String.join(
                "\n",
                "cluster.name: parley",
                "node.name: parley-search",
                "discovery.type: single-node",
                "network.host: 127.0.0.1",
                "http.port: " + httpPort,
                "transport.port: " + transportPort,
                "path.data: " + dir.resolve("data"),
                "path.logs: " + dir.resolve("logs"),
                // a laptop's disk may be fuller than the 85 % watermark: never refuse to allocate shards
                "cluster.routing.allocation.disk.threshold_enabled: false",
                // indices come only from Parley's own template and alias (a typo must not create one)
                "action.auto_create_index: false",
                "");
    }

    private static final String LOG4J = String.join(
            "\n",
            "status = error",
            "appender.file.type = File",
            "appender.file.name = file",
            "appender.file.fileName = LOGFILE",
            "appender.file.layout.type = PatternLayout",
            "appender.file.layout.pattern = [%d{ISO8601}][%-5p][%-25c{1.}] [%node_name]%marker %m%n",
            "rootLogger.level = info",
            "rootLogger.appenderRef.file.ref = file",
            "logger.deprecation.name = org.opensearch.deprecation",
            "logger.deprecation.level = error",
            "");
}
