package dev.parley.bench.e2e;

import dev.parley.edge.auth.TokenService;
import dev.parley.testkit.FreePorts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The system under test: {@code ./parley up}'s embedded default (Kafka, Cassandra, Redis,
 * Connect, the topologies and one edge) as a child process, started exactly as the script starts
 * it (same class path, same heap), on free ports and a fresh data folder. The load generator runs
 * in this, another, process.
 */
final class StackUnderTest implements AutoCloseable {

    private final Path data;
    private final Map<String, String> env = new HashMap<>();
    private final Process process;

    private StackUnderTest(Path data, Process process) {
        this.data = data;
        this.process = process;
    }

    static StackUnderTest start(Path repo) throws IOException, InterruptedException {
        return start(repo, Map.of());
    }

    /** With {@code tuning} added to the environment: {@code PARLEY_TOPOLOGY_<KEY>}, {@code PARLEY_EDGE_<KEY>}. */
    static StackUnderTest start(Path repo, Map<String, String> tuning) throws IOException, InterruptedException {
        Path data = Files.createTempDirectory("parley-bench-stack");
        Map<String, String> env = new HashMap<>();
        env.put("PARLEY_DATA_DIR", data.toString());
        for (String port : List.of(
                "HTTP_PORT",
                "KAFKA_PORT",
                "KAFKA_CONTROLLER_PORT",
                "REDIS_PORT",
                "CASSANDRA_NATIVE_PORT",
                "CASSANDRA_STORAGE_PORT",
                "CONNECT_PORT",
                "TOPOLOGY_METRICS_PORT",
                "CONNECT_METRICS_PORT",
                "SEARCH_HTTP_PORT",
                "SEARCH_TRANSPORT_PORT",
                "S3_PORT")) {
            env.put("PARLEY_" + port, Integer.toString(FreePorts.next()));
        }
        env.putAll(tuning);
        env.put(
                "PARLEY_CASSANDRA_CLASSPATH_FILE",
                repo.resolve("cassandra-node/target/cassandra.classpath").toString());
        env.put(
                "PARLEY_SEARCH_CLASSPATH_FILE",
                repo.resolve("search-node/target/search.classpath").toString());
        String classpath = repo.resolve("standalone/target/classes")
                + java.io.File.pathSeparator
                + Files.readString(repo.resolve("standalone/target/standalone.classpath"))
                        .strip();
        // the same JVM flags as the ./parley script (PARLEY_JAVA_OPTS too), and a GC log
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms256m",
                "-Xmx1500m",
                "-XX:+UseG1GC"));
        String javaOpts = env.getOrDefault("PARLEY_JAVA_OPTS", System.getenv().getOrDefault("PARLEY_JAVA_OPTS", ""))
                .strip();
        if (!javaOpts.isEmpty()) {
            command.addAll(List.of(javaOpts.split("\\s+")));
        }
        // a log flag only: what GcPauses reads
        command.addAll(
                List.of("-Xlog:gc:file=" + data.resolve("gc.log"), "-cp", classpath, "dev.parley.standalone.ParleyUp"));
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(data.resolve("console.out").toFile());
        pb.environment().putAll(env);
        StackUnderTest stack = new StackUnderTest(data, pb.start());
        stack.env.putAll(env);
        stack.awaitReady(Duration.ofSeconds(180));
        return stack;
    }

    private void awaitReady(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Path console = data.resolve("console.out");
        while (true) {
            String out = Files.exists(console) ? Files.readString(console, StandardCharsets.UTF_8) : "";
            if (out.contains("parley: ready in")) {
                return;
            }
            if (!process.isAlive() || System.nanoTime() > deadline) {
                close();
                throw new IllegalStateException("the stack did not start:\n" + out);
            }
            Thread.sleep(200);
        }
    }

    String bootstrapServers() {
        return "127.0.0.1:" + env.get("PARLEY_KAFKA_PORT");
    }

    String webSocketUri() {
        return "ws://127.0.0.1:" + env.get("PARLEY_HTTP_PORT") + "/v1/ws";
    }

    /** ConversationTopology's commits, from the topology process's metrics endpoint. */
    CommitProbe commits() {
        return new CommitProbe(
                Integer.parseInt(env.get("PARLEY_TOPOLOGY_METRICS_PORT")),
                env.getOrDefault("PARLEY_TOPOLOGY_APPLICATION_ID", "parley-conversations"));
    }

    String cassandraContactPoint() {
        return "127.0.0.1:" + env.get("PARLEY_CASSANDRA_NATIVE_PORT");
    }

    long pid() {
        return process.pid();
    }

    /** The sinks {@code ./parley up} deploys (SinkDeployments). */
    static final List<String> SINKS = List.of("parley-cassandra-sink", "parley-search-sink", "parley-push-sink");

    /**
     * Pauses ({@code pause}) or resumes every sink through Connect's REST API, so a run can show
     * how much of a latency tail is the sinks' and their stores' share of the 2 cores: a paused
     * sink stops consuming, and Cassandra and OpenSearch go idle while it is.
     */
    void sinks(String action) throws IOException, InterruptedException {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        for (String sink : SINKS) {
            var response = http.send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
                                    + env.get("PARLEY_CONNECT_PORT") + "/connectors/" + sink + "/" + action))
                            .timeout(Duration.ofSeconds(10))
                            .PUT(java.net.http.HttpRequest.BodyPublishers.noBody())
                            .build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 202) {
                throw new IllegalStateException(
                        action + " " + sink + ": HTTP " + response.statusCode() + " " + response.body());
            }
        }
    }

    /** The stack JVM's GC log ({@link GcPauses} reads it). */
    Path gcLog() {
        return data.resolve("gc.log");
    }

    /** Tokens the edge accepts: signed with the secret the stack made on first start. */
    TokenService tokens() throws IOException {
        String secret =
                Files.readString(data.resolve("edge").resolve("jwt.secret")).strip();
        return new TokenService(secret, "parley", Duration.ofHours(12), Clock.systemUTC());
    }

    /** Heap in use after a full GC of the stack's JVM, in bytes (jcmd, JDK 17). */
    long heapUsedAfterGc() throws IOException, InterruptedException {
        jcmd("GC.run");
        String info = jcmd("GC.heap_info");
        // "garbage-first heap   total 262144K, used 123456K"
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("used (\\d+)K").matcher(info);
        if (!m.find()) {
            throw new IllegalStateException("no heap figure in: " + info);
        }
        return Long.parseLong(m.group(1)) * 1024;
    }

    /** Open file descriptors of the stack's JVM (Linux /proc). */
    long openFiles() throws IOException {
        try (var files = Files.list(Path.of("/proc", Long.toString(process.pid()), "fd"))) {
            return files.count();
        }
    }

    String jcmd(String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                        Long.toString(process.pid()),
                        command)
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(60, TimeUnit.SECONDS);
        return out;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(90, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
