package dev.parley.standalone;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import redis.clients.jedis.Jedis;
import redis.embedded.RedisServer;

/**
 * A real Redis server: the 6.2 binary shipped in {@code embedded-redis} on Maven Central, with an
 * append-only file under the data folder so sessions, presence and accounts of rate limits survive
 * a restart. A Redis left running by a previous {@code ./parley up} that was killed is found by its
 * pid file and stopped first.
 */
final class EmbeddedRedis implements Component {

    private final Path dir;
    private final int port;
    private RedisServer server;

    EmbeddedRedis(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    @Override
    public String name() {
        return "redis";
    }

    String url() {
        return "redis://127.0.0.1:" + port;
    }

    @Override
    public String start() throws Exception {
        Files.createDirectories(dir);
        Path pidFile = dir.resolve("redis.pid");
        server = RedisServer.newRedisServer()
                .port(port)
                .bind("127.0.0.1")
                .setting("dir " + dir)
                .setting("pidfile " + pidFile)
                .setting("appendonly yes")
                .setting("save \"\"")
                .build();
        server.start();
        awaitPing();
        return url();
    }

    private void awaitPing() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            try (Jedis jedis = new Jedis("127.0.0.1", port)) {
                if ("PONG".equals(jedis.ping())) {
                    return;
                }
            } catch (RuntimeException e) {
                if (System.nanoTime() > deadline) {
                    throw new StartupException("Redis did not answer PING within 20 s: " + e.getMessage(), e);
                }
            }
            Thread.sleep(50);
        }
    }

    @Override
    public void close() {
        if (server != null) {
            try {
                server.stop();
            } catch (IOException e) {
                System.err.println("parley: stopping redis: " + e.getMessage());
            }
        }
    }
}
