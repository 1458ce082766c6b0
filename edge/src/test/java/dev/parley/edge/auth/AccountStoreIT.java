package dev.parley.edge.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.servererrors.WriteTimeoutException;
import com.datastax.oss.driver.api.core.servererrors.WriteType;
import dev.parley.schema.CassandraSessions;
import dev.parley.testkit.CassandraNodeExtension;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Sign-up on a real Cassandra node, also when it fails half way: never a name without its account. */
@ExtendWith(CassandraNodeExtension.class)
class AccountStoreIT {

    /** One migrated keyspace for the class (a migration run costs seconds); each case its own names. */
    private static String keyspace;

    @BeforeAll
    static void migrate() {
        keyspace = CassandraNodeExtension.newMigratedKeyspace();
    }

    @Test
    void shouldLeaveAWholeAccountWhenTheNameClaimTimesOutAfterCassandraAppliedIt() {
        try (CqlSession real = session(keyspace)) {
            // the claim reaches Cassandra and is applied, but its answer is lost: the edge says 503
            CqlSession lossy = appliedThenTimedOut(
                    real, s -> s.getPreparedStatement().getQuery().contains("IF NOT EXISTS"));
            AccountStore store = new AccountStore(lossy);

            assertThatThrownBy(() -> store.create("ada", "Ada", "hash-1", "Ada L"))
                    .isInstanceOf(WriteTimeoutException.class);

            AccountStore after = new AccountStore(real);
            AccountStore.Account account = after.findByName("ada").orElseThrow();
            assertThat(after.exists(account.userId()))
                    .as("the claimed name's user row, so the account signs in and shows its profile")
                    .isTrue();
            // the retry finds the name taken; the endpoint answers it with this account (AccountAbuseIT)
            assertThat(after.create("ada", "Ada", "hash-2", null)).isEmpty();
            assertThat(after.findByName("ada").orElseThrow().passwordHash()).isEqualTo("hash-1");
        }
    }

    @Test
    void shouldKeepNoUserRowForANameAlreadyTaken() {
        try (CqlSession session = session(keyspace)) {
            AccountStore store = new AccountStore(session);
            String first =
                    store.create("bob", "Bob", "hash-1", null).orElseThrow().userId();

            assertThat(store.create("bob", "bob", "hash-2", null)).isEmpty();

            assertThat(session.execute("SELECT user_id, username FROM users").all().stream()
                            .filter(row -> row.getString("username").equalsIgnoreCase("bob")))
                    .extracting(row -> row.getString("user_id"))
                    .containsExactly(first);
        }
    }

    /** The edge's session as it opens it (CassandraSessions: LOCAL_QUORUM), on the test node. */
    private static CqlSession session(String keyspace) {
        return CassandraSessions.open(
                List.of(CassandraNodeExtension.host() + ":" + CassandraNodeExtension.port()),
                CassandraNodeExtension.localDatacenter(),
                keyspace,
                Duration.ofSeconds(10));
    }

    /** A session that runs every statement, but throws a write timeout after those {@code lost} picks. */
    private static CqlSession appliedThenTimedOut(CqlSession real, Predicate<BoundStatement> lost) {
        InvocationHandler handler = (proxy, method, args) -> {
            Object result;
            try {
                result = method.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            if (method.getName().equals("execute")
                    && args.length == 1
                    && args[0] instanceof BoundStatement bound
                    && lost.test(bound)) {
                throw new WriteTimeoutException(null, DefaultConsistencyLevel.LOCAL_QUORUM, 0, 1, WriteType.CAS);
            }
            return result;
        };
        return (CqlSession)
                Proxy.newProxyInstance(CqlSession.class.getClassLoader(), new Class<?>[] {CqlSession.class}, handler);
    }
}
