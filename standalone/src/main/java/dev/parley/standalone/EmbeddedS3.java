package dev.parley.standalone;

import dev.parley.edge.EdgeSettings;
import dev.parley.s3node.S3Node;
import java.nio.file.Path;
import java.util.Map;

/**
 * A real S3 API server for media: S3Proxy in this JVM over the filesystem backend, objects as files
 * under {@code data/media} (so a restart finds them), on loopback only. Requests must be signed
 * (AWS v4) with a secret made on first start and kept owner-only in {@code data/s3/s3.secret}.
 */
final class EmbeddedS3 implements Component {

    static final String ACCESS_KEY = "parley";

    private final Path objects;
    private final Path secretDir;
    private final int port;
    private String secret;
    private S3Node node;

    EmbeddedS3(Path objects, Path secretDir, int port) {
        this.objects = objects;
        this.secretDir = secretDir;
        this.port = port;
    }

    @Override
    public String name() {
        return "s3 (media)";
    }

    @Override
    public String start() throws Exception {
        secret = EdgeComponent.secretFile(secretDir, "s3.secret");
        try {
            node = S3Node.start(objects, "127.0.0.1", port, ACCESS_KEY, secret);
        } catch (IllegalStateException e) {
            throw new StartupException(e.getMessage(), e);
        }
        return node.endpoint() + "  objects in " + objects;
    }

    /** The edge settings that point at this server (endpoint, credentials, path-style). */
    Map<String, Object> edgeSettings() {
        return Map.of(
                EdgeSettings.MEDIA_S3_ENDPOINT,
                node.endpoint().toString(),
                EdgeSettings.MEDIA_S3_ACCESS_KEY,
                ACCESS_KEY,
                EdgeSettings.MEDIA_S3_SECRET_KEY,
                secret,
                EdgeSettings.MEDIA_S3_PATH_STYLE,
                true);
    }

    @Override
    public void close() {
        if (node != null) {
            node.close();
        }
    }
}
