package dev.parley.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.schema.CqlMigrations;
import dev.parley.schema.SchemaVersionCheck;
import dev.parley.testkit.CassandraNodeExtension;
import dev.parley.testkit.KafkaClusterExtension;
import dev.parley.testkit.RedisServerExtension;
import dev.parley.testkit.S3ProxyExtension;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The edge changes no schema: it refuses a keyspace the migrate step has not brought to its version. */
@ExtendWith({
    KafkaClusterExtension.class,
    RedisServerExtension.class,
    CassandraNodeExtension.class,
    S3ProxyExtension.class
})
class EdgeSchemaVersionIT {

    private static EdgeSettings settings(String keyspace) {
        Map<String, Object> s = new HashMap<>();
        s.put(EdgeSettings.EDGE_ID, "it-schema-" + UUID.randomUUID().toString().substring(0, 6));
        s.put(EdgeSettings.HTTP_HOST, "127.0.0.1");
        s.put(EdgeSettings.HTTP_PORT, 0);
        s.put(EdgeSettings.BOOTSTRAP_SERVERS, KafkaClusterExtension.bootstrapServers());
        s.put(EdgeSettings.REDIS_URL, RedisServerExtension.url());
        s.put(EdgeSettings.REDIS_KEY_PREFIX, RedisServerExtension.newKeyPrefix());
        s.put(
                EdgeSettings.CASSANDRA_CONTACT_POINT,
                CassandraNodeExtension.host() + ":" + CassandraNodeExtension.port());
        s.put(EdgeSettings.CASSANDRA_KEYSPACE, keyspace);
        s.put(EdgeSettings.JWT_SECRET, "it-secret-it-secret-it-secret-it-secret");
        s.put(EdgeSettings.MEDIA_S3_ENDPOINT, S3ProxyExtension.endpoint());
        s.put(EdgeSettings.MEDIA_S3_ACCESS_KEY, S3ProxyExtension.ACCESS_KEY);
        s.put(EdgeSettings.MEDIA_S3_SECRET_KEY, S3ProxyExtension.SECRET_KEY);
        s.put(EdgeSettings.MEDIA_S3_BUCKET, S3ProxyExtension.newBucket());
        return new EdgeSettings(s);
    }

    @Test
    void shouldRefuseToStartUntilMigrateHasRunThenStartAndServe() throws Exception {
        String keyspace = CassandraNodeExtension.newKeyspace();
        EdgeSettings settings = settings(keyspace);
        // the topics exist (another test JVM's order must not matter): only the keyspace is behind
        Migrate.topics(settings);

        assertThatThrownBy(() -> EdgeMain.start(settings))
                .isInstanceOf(SchemaVersionCheck.SchemaVersionMismatch.class)
                .hasMessage("Cassandra schema of keyspace " + keyspace + " is at version 0 but this build needs "
                        + CqlMigrations.LATEST + ": run `parley migrate` (README, Upgrades)");

        assertThat(Migrate.run(settings))
                .containsExactlyElementsOf(CqlMigrations.all().stream()
                        .map(CqlMigrations.Migration::version)
                        .toList()); // versions need not be contiguous: branches reserve numbers
        assertThat(Migrate.run(settings)).isEmpty();
        // the bucket too: made by the first run, found by the second
        assertThat(S3ProxyExtension.baseDir().resolve(settings.getString(EdgeSettings.MEDIA_S3_BUCKET)))
                .isDirectory();
        try (EdgeMain.RunningEdge edge = EdgeMain.start(settings);
                TestClient alice = TestClient.register(
                                edge.port(),
                                "alice" + UUID.randomUUID().toString().substring(0, 6))
                        .connect(edge.port())) {
            assertThat(alice).isNotNull(); // registered: the accounts tables exist
        }
    }
}
