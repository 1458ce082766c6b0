package dev.parley.edge;

import com.datastax.oss.driver.api.core.CqlSession;
import dev.parley.edge.media.MediaStore;
import dev.parley.schema.CassandraMigrator;
import dev.parley.schema.CassandraSessions;
import dev.parley.schema.ConfigSources;
import dev.parley.schema.CqlMigrations;
import dev.parley.schema.TopicProvisioner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * {@code parley migrate}: creates or converges the Kafka topic catalogue ({@link TopicProvisioner}),
 * brings the Cassandra keyspace to this build's schema version and creates the media bucket unless
 * it exists, then exits (0 done or nothing to do, 1 refused). Reads the edge's settings ({@code
 * PARLEY_BOOTSTRAP_SERVERS}, {@code PARLEY_REPLICATION_FACTOR}, {@code PARLEY_TOPICS_*}, {@code
 * PARLEY_CASSANDRA_*}, {@code PARLEY_MEDIA_S3_*}; README "Edge" table), so it runs from the edge
 * image: the compose {@code migrate} service, which every other Parley process waits for, and
 * {@code ./parley migrate}. The processes only check the topics and the schema version.
 */
public final class Migrate {

    private Migrate() {}

    public static void main(String[] args) {
        Path file = args.length > 0 ? Path.of(args[0]) : null;
        EdgeSettings s =
                new EdgeSettings(ConfigSources.gather(EdgeSettings.CONFIG.names(), file, System.getenv(), Map.of()));
        try {
            topics(s);
            System.out.println(
                    "parley migrate: topic catalogue provisioned on " + s.getString(EdgeSettings.BOOTSTRAP_SERVERS));
            List<Integer> applied = cassandra(s);
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
     * Every step, topics first, then Cassandra, then the media bucket ({@code media.s3.*}); returns
     * the CQL versions it applied. Each step is idempotent: two migrate steps racing both succeed.
     */
    public static List<Integer> run(EdgeSettings s) throws InterruptedException {
        topics(s);
        List<Integer> applied = cassandra(s);
        bucket(s);
        return applied;
    }

    /** Creates the media bucket unless it exists. */
    public static void bucket(EdgeSettings s) {
        try (MediaStore store = MediaStore.open(s)) {
            store.ensureBucket();
        }
    }

    /**
     * Creates the catalogue topics that are missing and converges the configs correctness depends
     * on (idempotent; partitions of an existing topic are never changed).
     */
    public static void topics(EdgeSettings s) {
        try (Admin admin = Admin.create(
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, s.getString(EdgeSettings.BOOTSTRAP_SERVERS)))) {
            new TopicProvisioner(
                            admin,
                            s.getShort(EdgeSettings.REPLICATION_FACTOR),
                            s.getInt(EdgeSettings.TOPIC_PARTITIONS),
                            s.getInt(EdgeSettings.MIN_INSYNC_REPLICAS))
                    .provisionCatalogue();
        }
    }

    /** Runs the CQL migrations with the edge's Cassandra settings; returns the versions it applied. */
    public static List<Integer> cassandra(EdgeSettings s) throws InterruptedException {
        // the sessions' LOCAL_QUORUM too: a later run must read every version an earlier one wrote
        try (CqlSession session = CassandraSessions.open(
                List.of(s.getString(EdgeSettings.CASSANDRA_CONTACT_POINT)),
                s.getString(EdgeSettings.CASSANDRA_DATACENTER),
                null,
                Duration.ofSeconds(30))) {
            return new CassandraMigrator(
                            session,
                            s.getString(EdgeSettings.CASSANDRA_KEYSPACE),
                            s.getString(EdgeSettings.CASSANDRA_REPLICATION))
                    .migrate();
        }
    }
}
