package dev.parley.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.UUID;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import redis.embedded.RedisServer;

/**
 * A real Redis server (the 6.2 binary shipped inside {@code embedded-redis} on Maven Central),
 * started once per test JVM on a free loopback port and stopped when the JVM's tests end. Tests
 * isolate themselves with {@link #newKeyPrefix()} rather than flushing a shared server.
 */
public final class RedisServerExtension implements BeforeAllCallback {

    private static volatile Running running;

    @Override
    public void beforeAll(ExtensionContext context) {
        synchronized (RedisServerExtension.class) {
            if (running == null) {
                running = JvmLifetime.stopAtExit(Running.start());
            }
        }
    }

    public static int port() {
        return require().port;
    }

    public static String url() {
        return "redis://127.0.0.1:" + port();
    }

    /** Stops the server, to test what clients do when Redis is gone; {@link #restart()} brings it back. */
    public static void stop() {
        try {
            require().server.stop();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void restart() {
        try {
            require().server.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String newKeyPrefix() {
        return "t-" + UUID.randomUUID() + ":";
    }

    private static Running require() {
        if (running == null) {
            throw new IllegalStateException("annotate the test with @ExtendWith(RedisServerExtension.class)");
        }
        return running;
    }

    private static final class Running implements AutoCloseable {
        private final RedisServer server;
        private final int port;

        private Running(RedisServer server, int port) {
            this.server = server;
            this.port = port;
        }

        static Running start() {
            int port = FreePorts.next();
            try {
                RedisServer server = RedisServer.newRedisServer()
                        .port(port)
                        .bind("127.0.0.1")
                        .setting("save \"\"")
                        .setting("appendonly no")
                        .build();
                server.start();
                return new Running(server, port);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start Redis", e);
            }
        }

        @Override
        public void close() throws IOException {
            server.stop();
        }
    }
}
