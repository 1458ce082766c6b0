package dev.parley.connect.cassandra;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.schema.CqlMigrations;
import dev.parley.testkit.CassandraNodeExtension;
import java.util.Map;
import org.apache.kafka.connect.errors.ConnectException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The sink changes no schema: its task fails with one line on a keyspace migrate has not made. */
@ExtendWith(CassandraNodeExtension.class)
class CassandraSinkSchemaVersionIT {

    @Test
    void shouldFailTheTaskWithTheMigrateLineOnAnUnmigratedKeyspace() {
        String keyspace = CassandraNodeExtension.newKeyspace();
        CassandraSinkTask task = new CassandraSinkTask();
        assertThatThrownBy(() -> task.start(Map.of(
                        CassandraSinkConfig.CONTACT_POINTS,
                        "127.0.0.1:" + CassandraNodeExtension.port(),
                        CassandraSinkConfig.KEYSPACE,
                        keyspace)))
                .isInstanceOf(ConnectException.class)
                .hasMessage("Cassandra schema of keyspace " + keyspace + " is at version 0 but this build needs "
                        + CqlMigrations.LATEST + ": run `parley migrate` (README, Upgrades)");
        task.stop();
    }
}
