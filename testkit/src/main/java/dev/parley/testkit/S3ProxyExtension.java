package dev.parley.testkit;

import dev.parley.s3node.S3Node;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real S3 API server (S3Proxy on the filesystem-nio2 backend, objects under a temporary folder,
 * AWS signature v4 required) started once per test JVM on a free loopback port and stopped when the
 * JVM's tests end. Tests isolate themselves with {@link #newBucket()}.
 */
public final class S3ProxyExtension implements BeforeAllCallback {

    public static final String ACCESS_KEY = "parley-test";
    public static final String SECRET_KEY = "parley-test-secret-key";

    private static volatile Running running;

    @Override
    public void beforeAll(ExtensionContext context) {
        synchronized (S3ProxyExtension.class) {
            if (running == null) {
                running = JvmLifetime.stopAtExit(Running.start());
            }
        }
    }

    /** {@code http://127.0.0.1:port}, path-style. */
    public static String endpoint() {
        return require().node.endpoint().toString();
    }

    /** The folder the backend keeps buckets in (a bucket is a folder, an object a file). */
    public static Path baseDir() {
        return require().dir;
    }

    /** A fresh bucket name; the code under test creates it. */
    public static String newBucket() {
        return "t-" + UUID.randomUUID().toString().substring(0, 18);
    }

    private static Running require() {
        if (running == null) {
            throw new IllegalStateException("annotate the test with @ExtendWith(S3ProxyExtension.class)");
        }
        return running;
    }

    private static final class Running implements AutoCloseable {
        private final S3Node node;
        private final Path dir;

        private Running(S3Node node, Path dir) {
            this.node = node;
            this.dir = dir;
        }

        static Running start() {
            try {
                Path dir = Files.createTempDirectory("parley-s3");
                return new Running(S3Node.start(dir, "127.0.0.1", FreePorts.next(), ACCESS_KEY, SECRET_KEY), dir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the S3 folder", e);
            }
        }

        @Override
        public void close() {
            node.close();
        }
    }
}
