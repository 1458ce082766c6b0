package dev.parley.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(CassandraNodeExtension.class)
class CassandraNodeExtensionIT {

    @Test
    void shouldServeCqlFromARealCassandra5Node() {
        try (CqlSession session = CqlSession.builder()
                .addContactPoint(new InetSocketAddress(CassandraNodeExtension.host(), CassandraNodeExtension.port()))
                .withLocalDatacenter(CassandraNodeExtension.localDatacenter())
                .build()) {
            String version = session.execute("SELECT release_version FROM system.local")
                    .one()
                    .getString(0);
            assertThat(version).startsWith("5.0");
            String keyspace = CassandraNodeExtension.newKeyspace();
            session.execute("CREATE KEYSPACE " + keyspace
                    + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
            session.execute("CREATE TABLE " + keyspace + ".t (k int PRIMARY KEY, v text)");
            session.execute("INSERT INTO " + keyspace + ".t (k, v) VALUES (1, 'one')");
            assertThat(session.execute("SELECT v FROM " + keyspace + ".t WHERE k = 1")
                            .one()
                            .getString("v"))
                    .isEqualTo("one");
        }
    }
}
