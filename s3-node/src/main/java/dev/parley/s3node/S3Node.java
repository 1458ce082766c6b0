package dev.parley.s3node;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * A real S3 API server in this JVM: S3Proxy over the jclouds {@code filesystem-nio2} backend, whose
 * objects are plain files under {@code baseDir} (metadata in user xattrs), so a restart finds them
 * again. Requests must carry an AWS signature v4 of {@code accessKey}/{@code secret}: without auth
 * S3Proxy accepts any signature, even a tampered presigned URL, and tests would prove nothing.
 */
public final class S3Node implements AutoCloseable {

    private final S3Proxy proxy;
    private final BlobStoreContext context;
    private final URI endpoint;

    private S3Node(S3Proxy proxy, BlobStoreContext context, URI endpoint) {
        this.proxy = proxy;
        this.context = context;
        this.endpoint = endpoint;
    }

    /** Starts a node on {@code host:port} (0 picks a free port) and waits until it serves. */
    public static S3Node start(Path baseDir, String host, int port, String accessKey, String secret) {
        try {
            Files.createDirectories(baseDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + baseDir, e);
        }
        Properties props = new Properties();
        props.setProperty("jclouds.filesystem.basedir", baseDir.toAbsolutePath().toString());
        BlobStoreContext context = ContextBuilder.newBuilder("filesystem-nio2")
                .credentials("local", "local") // the backend ignores them; jclouds requires a pair
                .overrides(props)
                .build(BlobStoreContext.class);
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(context.getBlobStore())
                .endpoint(URI.create("http://" + host + ":" + port))
                .awsAuthentication(AuthenticationType.AWS_V4, accessKey, secret)
                // the SDK's DeleteObjects sends a CRC32 header S3Proxy does not know
                .ignoreUnknownHeaders(true)
                .build();
        try {
            proxy.start();
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!"STARTED".equals(proxy.getState())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("S3Proxy did not start within 30 s: " + proxy.getState());
                }
                Thread.sleep(10);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(proxy, context);
            throw new IllegalStateException("interrupted while starting S3Proxy", e);
        } catch (Exception e) {
            closeQuietly(proxy, context);
            throw new IllegalStateException("cannot start S3Proxy on " + host + ":" + port + ": " + e, e);
        }
        return new S3Node(proxy, context, URI.create("http://" + host + ":" + proxy.getPort()));
    }

    /** Where clients send S3 requests ({@code http://host:port}, path-style buckets). */
    public URI endpoint() {
        return endpoint;
    }

    @Override
    public void close() {
        closeQuietly(proxy, context);
    }

    private static void closeQuietly(S3Proxy proxy, BlobStoreContext context) {
        try {
            proxy.stop();
        } catch (Exception e) {
            // stopping a proxy that never started fails; the context is closed below regardless
        } finally {
            context.close();
        }
    }
}
