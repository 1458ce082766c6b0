package dev.parley.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.servererrors.UnavailableException;
import dev.parley.schema.history.WriteFailures;
import dev.parley.testkit.CassandraNodeExtension;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The sessions of the edge and the sinks on a real node: a quorum of the keyspace's replicas must
 * answer. One node stands for a cluster that lost all but one replica of three, where the driver's
 * default (LOCAL_ONE) would ack a write no other replica has.
 */
@ExtendWith(CassandraNodeExtension.class)
class CassandraSessionsIT {

    @Test
    void shouldRefuseAWriteAndAReadOnlyOneReplicaOfThreeCanAnswer() {
        String keyspace = CassandraNodeExtension.newKeyspace();
        try (CqlSession admin = CassandraNodeExtension.session()) {
            // three replicas on a one-node cluster: Cassandra warns and keeps the one it has
            admin.execute("CREATE KEYSPACE " + keyspace
                    + " WITH replication = {'class': 'NetworkTopologyStrategy', 'datacenter1': 3}");
            admin.execute("CREATE TABLE " + keyspace + ".t (k text PRIMARY KEY, v text)");
        }
        try (CqlSession session = open(keyspace)) {
            UnavailableException write =
                    unavailable(catchThrowable(() -> session.execute("INSERT INTO t (k, v) VALUES ('a', 'b')")));
            UnavailableException read =
                    unavailable(catchThrowable(() -> session.execute("SELECT v FROM t WHERE k = 'a'")));

            for (UnavailableException refused : List.of(write, read)) {
                assertThat(refused.getConsistencyLevel().name()).isEqualTo("LOCAL_QUORUM");
                assertThat(refused.getRequired()).isEqualTo(2);
                assertThat(refused.getAlive()).isEqualTo(1);
            }
            // the edge and the sinks take it for an outage: 503 and a redelivery, not a bug
            assertThat(WriteFailures.isRetriable(write)).isTrue();
        }
    }

    @Test
    void shouldWriteAndReadWhereTheQuorumIsTheOneReplica() {
        // a plain keyspace, not a migrated one: each migration's DDL costs seconds on a busy machine
        String keyspace = CassandraNodeExtension.newKeyspace();
        try (CqlSession admin = CassandraNodeExtension.session()) {
            admin.execute("CREATE KEYSPACE " + keyspace
                    + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
            admin.execute("CREATE TABLE " + keyspace + ".users (user_id text PRIMARY KEY, username text)");
        }
        try (CqlSession session = open(keyspace)) {
            session.execute("INSERT INTO users (user_id, username) VALUES ('u1', 'ada')");

            assertThat(session.execute("SELECT username FROM users WHERE user_id = 'u1'")
                            .one()
                            .getString("username"))
                    .isEqualTo("ada");
        }
    }

    /** The node's answer, as thrown or as the driver's retry policy collected it. */
    private static UnavailableException unavailable(Throwable thrown) {
        if (thrown instanceof AllNodesFailedException all) {
            return all.getAllErrors().values().stream()
                    .flatMap(List::stream)
                    .filter(UnavailableException.class::isInstance)
                    .map(UnavailableException.class::cast)
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no node answered unavailable", thrown));
        }
        assertThat(thrown).isInstanceOf(UnavailableException.class);
        return (UnavailableException) thrown;
    }

    private static CqlSession open(String keyspace) {
        return CassandraSessions.open(
                List.of(CassandraNodeExtension.host() + ":" + CassandraNodeExtension.port()),
                CassandraNodeExtension.localDatacenter(),
                keyspace,
                Duration.ofSeconds(10));
    }
}
