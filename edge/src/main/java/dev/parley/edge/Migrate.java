package dev.parley.edge;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import dev.parley.edge.media.MediaStore;
import dev.parley.schema.CassandraMigrator;
import dev.parley.schema.ConfigSources;
import dev.parley.schema.CqlMigrations;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code parley migrate}: brings the Cassandra keyspace to this build's schema version, creates the
 * media bucket unless it exists, and exits (0 done or nothing to do, 1 refused). Reads the edge's Cassandra settings ({@code
 * PARLEY_CASSANDRA_*}, README "Edge" table), so it runs from the edge image: the compose {@code
 * migrate} service, which every Cassandra user waits for, and {@code ./parley migrate}.
 */
public final class Migrate {

    private Migrate() {}

    public static void main(String[] args) {
        Path file = args.length > 0 ? Path.of(args[0]) : null;
        EdgeSettings s =
                new EdgeSettings(ConfigSources.gather(EdgeSettings.CONFIG.names(), file, System.getenv(), Map.of()));
        try {
            List<Integer> applied = run(s);
            System.out.println("parley migrate: keyspace " + s.getString(EdgeSettings.CASSANDRA_KEYSPACE)
                    + " is at version " + CqlMigrations.LATEST
                    + (applied.isEmpty() ? " (nothing to apply)" : " (applied " + applied + ")")
                    + ", media bucket " + s.getString(EdgeSettings.MEDIA_S3_BUCKET) + " ready");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            System.exit(1);
        } catch (RuntimeException e) {
            System.err.println("parley migrate: " + e.getMessage()); // one line, no stack trace
            System.exit(1);
        }
    }

    /**
     * Runs the migration with the edge's Cassandra settings and creates the media bucket ({@code
     * media.s3.*}) unless it exists; returns the CQL versions it applied. Both steps are idempotent:
     * two migrate steps racing (two compose runs) both succeed.
     */
    public static List<Integer> run(EdgeSettings s) throws InterruptedException {
        List<Integer> applied = migrateCassandra(s);
        try (MediaStore store = MediaStore.open(s)) {
            store.ensureBucket();
        }
        return applied;
    }

    private static List<Integer> migrateCassandra(EdgeSettings s) throws InterruptedException {
        String[] hostPort = s.getString(EdgeSettings.CASSANDRA_CONTACT_POINT).split(":");
        try (CqlSession session = CqlSession.builder()
                .addContactPoint(new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])))
                .withLocalDatacenter(s.getString(EdgeSettings.CASSANDRA_DATACENTER))
                .withConfigLoader(DriverConfigLoader.programmaticBuilder()
                        // each DDL otherwise waits about 1.1 s for schema agreement debouncing
                        .withDuration(DefaultDriverOption.METADATA_SCHEMA_WINDOW, Duration.ofMillis(10))
                        .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(30))
                        .build())
                .build()) {
            return new CassandraMigrator(
                            session,
                            s.getString(EdgeSettings.CASSANDRA_KEYSPACE),
                            s.getString(EdgeSettings.CASSANDRA_REPLICATION))
                    .migrate();
        }
    }
}
