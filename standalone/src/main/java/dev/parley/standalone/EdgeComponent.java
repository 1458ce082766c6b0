package dev.parley.standalone;

import dev.parley.edge.EdgeMain;
import dev.parley.edge.EdgeSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * One edge on the HTTP port. Its token-signing secret is made on first start and kept in the data
 * folder, so tokens survive a restart.
 */
final class EdgeComponent implements Component {

    private static final Set<PosixFilePermission> OWNER_ONLY =
            Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

    private final Path dir;
    private final Map<String, Object> settings = new HashMap<>();
    private EdgeMain.RunningEdge edge;

    EdgeComponent(
            Path dir,
            int httpPort,
            String bootstrapServers,
            String redisUrl,
            String cassandraContactPoint,
            String searchUrl,
            Map<String, Object> more,
            Map<String, String> env) {
        this.dir = dir;
        settings.putAll(more); // the media store, the Web Push key
        settings.put(EdgeSettings.EDGE_ID, "edge-1");
        settings.put(EdgeSettings.HTTP_PORT, httpPort);
        settings.put(EdgeSettings.BOOTSTRAP_SERVERS, bootstrapServers);
        settings.put(EdgeSettings.REDIS_URL, redisUrl);
        settings.put(EdgeSettings.CASSANDRA_CONTACT_POINT, cassandraContactPoint);
        settings.put(EdgeSettings.SEARCH_URLS, searchUrl);
        // PARLEY_EDGE_<KEY> tunes the rest (command linger, limits, ...), never what is wired above
        Set<String> wired = new HashSet<>(settings.keySet());
        wired.add(EdgeSettings.JWT_SECRET);
        settings.putAll(ComponentOverrides.fromEnv("EDGE", EdgeSettings.CONFIG.names(), wired, env));
    }

    /** What the edge is started with, before its signing secret is read. */
    Map<String, Object> settings() {
        return Map.copyOf(settings);
    }

    @Override
    public String name() {
        return "edge";
    }

    @Override
    public String start() throws Exception {
        settings.put(EdgeSettings.JWT_SECRET, secret());
        edge = EdgeMain.start(new EdgeSettings(settings));
        return "http://localhost:" + edge.port() + "  ws://localhost:" + edge.port() + "/v1/ws";
    }

    private String secret() throws IOException {
        return signingSecret(dir);
    }

    /**
     * The secret in {@code dir/jwt.secret}, made on first use. Whoever reads it can mint a token
     * for any user, so the file is created owner-only (0600, never briefly wider) and an older,
     * wider one is narrowed.
     */
    static String signingSecret(Path dir) throws IOException {
        return secretFile(dir, "jwt.secret");
    }

    /** A random secret in {@code dir/name}, made owner-only on first use (as the signing secret). */
    static String secretFile(Path dir, String name) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(name);
        if (!Files.exists(file)) {
            byte[] bytes = new byte[48];
            new SecureRandom().nextBytes(bytes);
            Path fresh = Files.createTempFile(dir, "jwt", ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            Files.writeString(fresh, Base64.getEncoder().encodeToString(bytes));
            Files.move(fresh, file, StandardCopyOption.ATOMIC_MOVE);
        } else if (!Files.getPosixFilePermissions(file).equals(OWNER_ONLY)) {
            Files.setPosixFilePermissions(file, OWNER_ONLY);
        }
        return Files.readString(file).strip();
    }

    @Override
    public void close() {
        if (edge != null) {
            edge.close();
        }
    }
}
