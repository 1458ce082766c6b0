package dev.parley.cassandra;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Cassandra 5 node in its own JVM, started from the {@code cassandra-all} classpath with the
 * flags of Cassandra's {@code conf/jvm17-server.options}. cassandra-all brings its own logging,
 * guava and netty, which is why it never shares our classpath. The child runs {@code
 * ParentWatchingLauncher}, which halts the node when our process ends, even by {@code kill -9}.
 * Ready means the CQL port accepts connections. Used by {@code ./parley up} and by the test kit;
 * this class runs in the parent JVM and needs nothing but the JDK.
 */
public final class CassandraNode implements AutoCloseable {

    private static final List<String> JVM17_FLAGS = List.of(
            "-XX:+UseG1GC",
            "-XX:+ParallelRefProcEnabled",
            "-XX:MaxTenuringThreshold=1",
            "-XX:G1HeapRegionSize=16m",
            "-Djdk.attach.allowAttachSelf=true",
            "--add-exports",
            "java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-exports",
            "java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED",
            "--add-exports",
            "java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports",
            "java.rmi/sun.rmi.server=ALL-UNNAMED",
            "--add-exports",
            "java.sql/java.sql=ALL-UNNAMED",
            "--add-exports",
            "java.base/java.lang.ref=ALL-UNNAMED",
            "--add-exports",
            "jdk.unsupported/sun.misc=ALL-UNNAMED",
            "--add-exports",
            "jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
            "--add-exports",
            "jdk.attach/sun.tools.attach=ALL-UNNAMED",
            "--add-opens",
            "java.base/java.lang.module=ALL-UNNAMED",
            "--add-opens",
            "java.base/jdk.internal.loader=ALL-UNNAMED",
            "--add-opens",
            "java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-opens",
            "java.base/jdk.internal.reflect=ALL-UNNAMED",
            "--add-opens",
            "java.base/jdk.internal.math=ALL-UNNAMED",
            "--add-opens",
            "java.base/jdk.internal.module=ALL-UNNAMED",
            "--add-opens",
            "java.base/jdk.internal.util.jar=ALL-UNNAMED",
            "--add-opens",
            "jdk.management/com.sun.management.internal=ALL-UNNAMED",
            "--add-opens",
            "java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens",
            "java.base/java.io=ALL-UNNAMED",
            "--add-opens",
            "java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens",
            "jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
            "--add-opens",
            "java.base/java.lang=ALL-UNNAMED",
            "--add-opens",
            "java.base/java.util=ALL-UNNAMED",
            "-Dio.netty.tryReflectionSetAccessible=true",
            "-Dio.netty.allocator.useCacheForAllThreads=true",
            "-Dio.netty.allocator.maxOrder=11");

    private final Path dir;
    private final int nativePort;
    private final int storagePort;
    private final int heapMb;
    private final String classpath;
    private Process process;

    public CassandraNode(Path dir, int nativePort, int storagePort, int heapMb, String classpath) {
        this.dir = dir;
        this.nativePort = nativePort;
        this.storagePort = storagePort;
        this.heapMb = heapMb;
        this.classpath = classpath;
    }

    /** The classpath the build wrote for the node, plus the launcher's own jar or classes. */
    public static String classpathFrom(Path classpathFile) {
        if (!Files.exists(classpathFile)) {
            throw new CassandraNodeException(
                    "no Cassandra classpath at " + classpathFile + ": run ./mvnw -B -DskipTests install");
        }
        Path moduleTarget = classpathFile.toAbsolutePath().getParent();
        try {
            String deps = Files.readString(classpathFile).strip();
            return moduleTarget.resolve("classes") + java.io.File.pathSeparator + deps;
        } catch (IOException e) {
            throw new CassandraNodeException("cannot read " + classpathFile + ": " + e.getMessage(), e);
        }
    }

    public String contactPoint() {
        return "127.0.0.1:" + nativePort;
    }

    /** Launches the node and returns at once; {@link #start()} waits for it. */
    public void launch() throws IOException {
        Files.createDirectories(dir.resolve("logs"));
        Path yaml = dir.resolve("cassandra.yaml");
        Files.writeString(yaml, yaml());
        Path logback = dir.resolve("logback.xml");
        Files.writeString(
                logback,
                LOGBACK.replace("LOGFILE", dir.resolve("logs/system.log").toString()));
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xms" + heapMb + "m");
        command.add("-Xmx" + heapMb + "m");
        command.addAll(JVM17_FLAGS);
        command.add("-Dcassandra-foreground=yes");
        command.add("-Dcassandra.config=" + yaml.toUri());
        command.add("-Dcassandra.storagedir=" + dir);
        command.add("-Dcassandra.logdir=" + dir.resolve("logs"));
        command.add("-Dlogback.configurationFile=" + logback);
        command.add("-Dcassandra.skip_wait_for_gossip_to_settle=0");
        command.add("-Dcassandra.superuser_setup_delay_ms=0");
        command.add("-cp");
        command.add(classpath);
        command.add("dev.parley.cassandra.ParentWatchingLauncher");
        process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("logs/stdout.log").toFile())
                .redirectInput(ProcessBuilder.Redirect.PIPE) // kept open and empty: see ParentWatchingLauncher
                .start();
    }

    /** Launches the node if needed and waits until its CQL port accepts connections. */
    public String awaitReady() throws IOException, InterruptedException {
        if (process == null) {
            launch();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!accepts(nativePort)) {
            if (!process.isAlive()) {
                throw new CassandraNodeException(
                        "Cassandra exited with " + process.exitValue() + "; see " + dir.resolve("logs/system.log"));
            }
            if (System.nanoTime() > deadline) {
                throw new CassandraNodeException("Cassandra did not open port " + nativePort + " within 120 s; see "
                        + dir.resolve("logs/system.log"));
            }
            Thread.sleep(100);
        }
        return contactPoint();
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Drains on SIGTERM; a node that does not stop within 30 s is killed (the commit log makes that safe). */
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

    /** Kills the node without draining, as a crash would: for throwaway nodes (tests) at exit. */
    public void kill() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    public int nativePort() {
        return nativePort;
    }

    private String yaml() {
        String d = dir.toString();
        return String.join(
                "\n",
                "cluster_name: parley",
                "num_tokens: 1",
                "initial_token: 0",
                "partitioner: org.apache.cassandra.dht.Murmur3Partitioner",
                "endpoint_snitch: SimpleSnitch",
                "seed_provider:",
                "  - class_name: org.apache.cassandra.locator.SimpleSeedProvider",
                "    parameters:",
                "      - seeds: \"127.0.0.1:" + storagePort + "\"",
                "listen_address: 127.0.0.1",
                "rpc_address: 127.0.0.1",
                "storage_port: " + storagePort,
                "native_transport_port: " + nativePort,
                "start_native_transport: true",
                "data_file_directories: [" + d + "/data]",
                "commitlog_directory: " + d + "/commitlog",
                "saved_caches_directory: " + d + "/saved_caches",
                "hints_directory: " + d + "/hints",
                "cdc_raw_directory: " + d + "/cdc_raw",
                "commitlog_sync: periodic",
                "commitlog_sync_period: 10000ms",
                "memtable_heap_space: 64MiB",
                "memtable_offheap_space: 64MiB",
                "concurrent_reads: 4",
                "concurrent_writes: 4",
                "concurrent_counter_writes: 4",
                "concurrent_compactors: 1",
                "authenticator: AllowAllAuthenticator",
                "authorizer: AllowAllAuthorizer",
                "");
    }

    private static final String LOGBACK =
            """
            <configuration>
              <appender name="FILE" class="ch.qos.logback.core.FileAppender">
                <file>LOGFILE</file>
                <encoder><pattern>%d %-5level [%thread] %logger{20} - %msg%n</pattern></encoder>
              </appender>
              <root level="INFO"><appender-ref ref="FILE"/></root>
            </configuration>
            """;
}
