package dev.parley.standalone;

import dev.parley.testkit.FreePorts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** {@code ./parley up} as a real child process, on free ports and its own data folder. */
final class ParleyProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    final Path dataDir;
    final Map<String, String> env;
    private final Path outputFile;
    private Process process;

    ParleyProcess(Path dataDir) {
        this(dataDir, Map.of());
    }

    ParleyProcess(Path dataDir, Map<String, String> extraEnv) {
        this.dataDir = dataDir;
        this.outputFile = dataDir.resolve("console.out");
        this.env = new java.util.HashMap<>(extraEnv);
        this.env.put("PARLEY_TOPOLOGY_METRICS_PORT", Integer.toString(FreePorts.next()));
        this.env.put("PARLEY_CONNECT_METRICS_PORT", Integer.toString(FreePorts.next()));
        this.env.put("PARLEY_SEARCH_HTTP_PORT", Integer.toString(FreePorts.next()));
        this.env.put("PARLEY_SEARCH_TRANSPORT_PORT", Integer.toString(FreePorts.next()));
        this.env.put(
                "PARLEY_SEARCH_CLASSPATH_FILE",
                Path.of("..", "search-node", "target", "search.classpath")
                        .toAbsolutePath()
                        .normalize()
                        .toString());
        this.env.put("PARLEY_S3_PORT", Integer.toString(FreePorts.next()));
        this.env.putAll(Map.of(
                "PARLEY_DATA_DIR", dataDir.toString(),
                "PARLEY_HTTP_PORT", Integer.toString(FreePorts.next()),
                "PARLEY_KAFKA_PORT", Integer.toString(FreePorts.next()),
                "PARLEY_KAFKA_CONTROLLER_PORT", Integer.toString(FreePorts.next()),
                "PARLEY_REDIS_PORT", Integer.toString(FreePorts.next()),
                "PARLEY_CASSANDRA_NATIVE_PORT", Integer.toString(FreePorts.next()),
                "PARLEY_CASSANDRA_STORAGE_PORT", Integer.toString(FreePorts.next()),
                "PARLEY_CONNECT_PORT", Integer.toString(FreePorts.next()),
                "PARLEY_CASSANDRA_CLASSPATH_FILE",
                        Path.of("..", "cassandra-node", "target", "cassandra.classpath")
                                .toAbsolutePath()
                                .normalize()
                                .toString()));
    }

    String bootstrapServers() {
        return "127.0.0.1:" + env.get("PARLEY_KAFKA_PORT");
    }

    int httpPort() {
        return Integer.parseInt(env.get("PARLEY_HTTP_PORT"));
    }

    int redisPort() {
        return Integer.parseInt(env.get("PARLEY_REDIS_PORT"));
    }

    /** One API request to this Parley's edge; a body goes as JSON. */
    HttpResponse<String> http(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort() + path))
                .timeout(Duration.ofSeconds(15))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Starts and waits for the "ready" line; fails with the output if it does not come. */
    void start() throws IOException, InterruptedException {
        launch();
        // six servers (two of them forked JVMs) start on 2 shared cores: seen over 150 s under load
        long deadline = System.nanoTime() + Duration.ofSeconds(210).toNanos();
        while (output().stream().noneMatch(l -> l.startsWith("parley: ready in"))) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("parley did not become ready:\n" + String.join("\n", output()));
            }
            Thread.sleep(100);
        }
    }

    /** For start-ups that must fail: runs to the end and returns the exit code. */
    int runToExit() throws IOException, InterruptedException {
        launch();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            throw new AssertionError("parley kept running:\n" + String.join("\n", output()));
        }
        return process.exitValue();
    }

    /** What the process printed (stdout and stderr) since its last start. */
    List<String> output() {
        try {
            return Files.exists(outputFile) ? Files.readAllLines(outputFile, StandardCharsets.UTF_8) : List.of();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void launch() throws IOException {
        String classpath = Path.of("target", "classes").toAbsolutePath()
                + java.io.File.pathSeparator
                + Files.readString(Path.of("target", "standalone.classpath")).strip();
        ProcessBuilder pb = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx768m",
                        "-cp",
                        classpath,
                        ParleyUp.class.getName())
                .redirectErrorStream(true)
                // a file, not a pipe: a pipe's last lines are lost when the process exits mid-read
                .redirectOutput(outputFile.toFile());
        pb.environment().putAll(env);
        process = pb.start();
    }

    /** The forked Cassandra node: the one child that is a JVM (the other is the Redis binary). */
    Optional<ProcessHandle> cassandra() {
        return javaChild("ParentWatchingLauncher");
    }

    /** The forked OpenSearch node. */
    Optional<ProcessHandle> search() {
        return javaChild("SearchNodeLauncher");
    }

    private Optional<ProcessHandle> javaChild(String mainClass) {
        return process.children()
                .filter(p -> p.info().command().orElse("").endsWith("java"))
                .filter(p -> commandLine(p).contains(mainClass))
                .findFirst();
    }

    /** Read from /proc: {@code ProcessHandle.Info.arguments()} comes back empty for a long classpath. */
    private static String commandLine(ProcessHandle p) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(p.pid()), "cmdline"))
                    .replace('\0', ' ');
        } catch (IOException e) {
            return "";
        }
    }

    List<ProcessHandle> children() {
        return process.children().toList();
    }

    /** SIGTERM, as Ctrl-C would; waits for the clean stop. */
    int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            throw new AssertionError("parley did not stop within 90 s:\n" + String.join("\n", output()));
        }
        return process.exitValue();
    }

    /** SIGKILL: no shutdown hook runs. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor();
        }
    }
}
