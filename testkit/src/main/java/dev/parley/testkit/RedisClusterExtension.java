package dev.parley.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.StringJoiner;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.util.JedisClusterCRC16;
import redis.embedded.RedisServer;

/**
 * A real Redis Cluster of three primaries, each with one replica, on free loopback ports, from
 * the same Redis 6.2 binary as {@link RedisServerExtension} (inside {@code embedded-redis}),
 * started once per test JVM. It is built as {@code redis-cli --cluster create} would (that tool is
 * not shipped): {@code CLUSTER ADDSLOTS} of a third of the 16,384 slots on each primary, {@code
 * CLUSTER MEET}, {@code CLUSTER REPLICATE}, then wait for {@code cluster_state:ok}. A node counts
 * as failed after {@link #NODE_TIMEOUT} (Redis's default is 15 s), so a killed primary's replica
 * takes over within about two seconds; {@code cluster-require-full-coverage no} keeps the other
 * shards answering meanwhile, as a production cluster should be configured.
 *
 * <p>{@link #killPrimaryOf(String)} stops the primary serving a key (its replica is promoted) and
 * {@link #restartStopped()} brings the stopped node back, where it rejoins as a replica, so the
 * cluster is whole again for the next test. Tests isolate themselves with {@link #newKeyPrefix()}.
 */
public final class RedisClusterExtension implements BeforeAllCallback {

    public static final Duration NODE_TIMEOUT = Duration.ofMillis(1000);
    private static final int SHARDS = 3;
    private static final int SLOTS = 16384;

    private static volatile Running running;

    @Override
    public void beforeAll(ExtensionContext context) {
        synchronized (RedisClusterExtension.class) {
            if (running == null) {
                running = JvmLifetime.stopAtExit(Running.start());
            }
        }
    }

    /** The {@code redis.url} of this cluster: every primary as a seed. */
    public static String url() {
        StringJoiner seeds = new StringJoiner(",", "redis-cluster://", "");
        require().nodes.stream().limit(SHARDS).forEach(n -> seeds.add("127.0.0.1:" + n.port));
        return seeds.toString();
    }

    public static String newKeyPrefix() {
        return RedisServerExtension.newKeyPrefix();
    }

    /** Port of the primary serving {@code key} now. */
    public static int primaryOf(String key) {
        int slot = JedisClusterCRC16.getSlot(key);
        for (Node n : require().nodes) {
            if (n.running && n.isPrimary() && n.serves(slot)) {
                return n.port;
            }
        }
        throw new IllegalStateException("no running primary serves slot " + slot);
    }

    /**
     * Stops the primary serving {@code key} (as a crash would: SIGTERM to the process, no handover)
     * and returns at once; the cluster marks it failed after {@link #NODE_TIMEOUT} and promotes its
     * replica. {@link #awaitHealthy()} waits for that.
     *
     * @return the stopped node's port
     */
    public static int killPrimaryOf(String key) {
        int port = primaryOf(key);
        Node node = require().node(port);
        node.stop();
        return port;
    }

    /** Waits until every slot is served by a running primary again (cluster_state:ok on all). */
    public static void awaitHealthy() {
        require().awaitHealthy();
    }

    /** Starts every stopped node again (they rejoin as replicas) and waits for a healthy cluster. */
    public static void restartStopped() {
        for (Node n : require().nodes) {
            if (!n.running) {
                n.start();
            }
        }
        await(Duration.ofSeconds(30), "every node back with a replica link", () -> require().nodes.stream()
                .allMatch(n -> n.info().contains("cluster_state:ok")
                        && n.clusterNodes().lines().noneMatch(l -> l.contains("fail"))));
        require().awaitHealthy();
    }

    private static Running require() {
        if (running == null) {
            throw new IllegalStateException("annotate the test with @ExtendWith(RedisClusterExtension.class)");
        }
        return running;
    }

    private static void await(Duration within, String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException e) {
                // a node still starting or just stopped: ask again
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Redis Cluster: no " + what + " within " + within);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private static final class Node {
        final int port;
        final Path dir;
        final RedisServer server;
        volatile boolean running;

        Node(int port, Path dir) throws IOException {
            this.port = port;
            this.dir = dir;
            this.server = RedisServer.newRedisServer()
                    .port(port)
                    .bind("127.0.0.1")
                    .setting("dir " + dir)
                    .setting("cluster-enabled yes")
                    .setting("cluster-config-file nodes-" + port + ".conf")
                    .setting("cluster-node-timeout " + NODE_TIMEOUT.toMillis())
                    .setting("cluster-require-full-coverage no")
                    .setting("save \"\"")
                    .setting("appendonly no")
                    .build();
        }

        void start() {
            try {
                server.start();
                running = true;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start Redis cluster node on " + port, e);
            }
        }

        void stop() {
            try {
                server.stop();
                running = false;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        Jedis connect() {
            return new Jedis("127.0.0.1", port, 2000);
        }

        String info() {
            try (Jedis j = connect()) {
                return j.clusterInfo();
            }
        }

        String clusterNodes() {
            try (Jedis j = connect()) {
                return j.clusterNodes();
            }
        }

        String myself() {
            return clusterNodes()
                    .lines()
                    .filter(l -> l.contains("myself"))
                    .findFirst()
                    .orElseThrow();
        }

        boolean isPrimary() {
            return myself().contains("master");
        }

        boolean serves(int slot) {
            return serves(myself(), slot);
        }

        static boolean serves(String myself, int slot) {
            String[] fields = myself.split(" ");
            for (int i = 8; i < fields.length; i++) {
                String range = fields[i];
                if (range.startsWith("[")) {
                    continue; // a slot being migrated
                }
                int dash = range.indexOf('-');
                int from = Integer.parseInt(dash < 0 ? range : range.substring(0, dash));
                int to = dash < 0 ? from : Integer.parseInt(range.substring(dash + 1));
                if (slot >= from && slot <= to) {
                    return true;
                }
            }
            return false;
        }
    }

    private static final class Running implements AutoCloseable {
        final List<Node> nodes;

        private Running(List<Node> nodes) {
            this.nodes = nodes;
        }

        Node node(int port) {
            return nodes.stream().filter(n -> n.port == port).findFirst().orElseThrow();
        }

        void awaitHealthy() {
            await(Duration.ofSeconds(30), "cluster_state:ok and every slot on a running primary", () -> {
                BitSet served = new BitSet(SLOTS);
                for (Node n : nodes) {
                    if (!n.running) {
                        continue;
                    }
                    if (!n.info().contains("cluster_state:ok")) {
                        return false;
                    }
                    String myself = n.myself();
                    if (myself.contains("master")) {
                        for (int slot = 0; slot < SLOTS; slot++) {
                            if (!served.get(slot) && Node.serves(myself, slot)) {
                                served.set(slot);
                            }
                        }
                    }
                }
                return served.cardinality() == SLOTS;
            });
        }

        static Running start() {
            List<Node> nodes = new ArrayList<>();
            try {
                Path root = Files.createTempDirectory("redis-cluster");
                for (int i = 0; i < SHARDS * 2; i++) {
                    int port = FreePorts.next();
                    Path dir = Files.createDirectories(root.resolve("n" + port));
                    Node node = new Node(port, dir);
                    nodes.add(node);
                    node.start();
                }
                Running r = new Running(nodes);
                r.create();
                return r;
            } catch (IOException | RuntimeException e) {
                nodes.forEach(n -> {
                    if (n.running) {
                        n.stop();
                    }
                });
                throw new IllegalStateException("cannot start a Redis Cluster", e);
            }
        }

        /** What redis-cli --cluster create does: slots, meet, replicas. */
        private void create() {
            String[] ids = new String[nodes.size()];
            for (int i = 0; i < nodes.size(); i++) {
                try (Jedis j = nodes.get(i).connect()) {
                    ids[i] = j.clusterMyId();
                    if (i < SHARDS) {
                        int from = i * SLOTS / SHARDS;
                        int to = (i + 1) * SLOTS / SHARDS;
                        j.clusterAddSlots(IntStream.range(from, to).toArray());
                    }
                    if (i > 0) {
                        j.clusterMeet("127.0.0.1", nodes.get(0).port);
                    }
                }
            }
            await(Duration.ofSeconds(30), "node knowing all " + nodes.size(), () -> nodes.stream()
                    .allMatch(n -> n.clusterNodes().lines().count() == nodes.size()));
            for (int i = SHARDS; i < nodes.size(); i++) {
                String primary = ids[i - SHARDS];
                try (Jedis j = nodes.get(i).connect()) {
                    j.clusterReplicate(primary);
                }
            }
            await(Duration.ofSeconds(30), "replica in sync", () -> nodes.stream()
                    .skip(SHARDS)
                    .allMatch(n -> {
                        try (Jedis j = n.connect()) {
                            return j.info("replication").contains("master_link_status:up");
                        }
                    }));
            awaitHealthy();
        }

        @Override
        public void close() {
            for (Node n : nodes) {
                if (n.running) {
                    n.stop();
                }
            }
        }
    }
}
