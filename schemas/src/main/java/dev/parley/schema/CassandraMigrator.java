package dev.parley.schema;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a keyspace to {@link CqlMigrations#LATEST}: creates the keyspace (with the configured
 * replication) and {@code schema_migrations}, then applies each pending migration in order and
 * records it (version, file name, checksum, applied_at). The only code that changes the Cassandra
 * schema: {@code parley migrate}, the compose {@code migrate} service and {@code ./parley up} run it.
 *
 * <p>Guarantees: an applied migration whose file changed is refused (checksum); a keyspace made by a
 * build before migrations (tables, no {@code schema_migrations}) is adopted as version 1, because
 * V001 is exactly that schema with {@code IF NOT EXISTS}; two runs at once do not both apply a
 * migration: a lock row taken with a lightweight transaction (with a TTL, so a crashed run frees it)
 * serialises them, and the second finds nothing pending. After each DDL statement it waits for the
 * cluster's schema agreement, so the next statement never runs against a disagreeing cluster.
 */
public final class CassandraMigrator {

    static final String MIGRATIONS_TABLE = "schema_migrations";
    static final String LOCK_TABLE = "schema_migrations_lock";

    private static final Logger log = LoggerFactory.getLogger(CassandraMigrator.class);

    private final CqlSession session;
    private final String keyspace;
    private final String replication;
    private final Duration lockTtl;
    private final Duration lockWait;
    private final Duration agreementWait;

    /**
     * @param session a session with no keyspace selected (the keyspace may not exist yet)
     * @param replication the keyspace's replication map, used only when the keyspace is created
     */
    public CassandraMigrator(CqlSession session, String keyspace, String replication) {
        this(session, keyspace, replication, Duration.ofMinutes(2), Duration.ofMinutes(5), Duration.ofSeconds(60));
    }

    CassandraMigrator(
            CqlSession session,
            String keyspace,
            String replication,
            Duration lockTtl,
            Duration lockWait,
            Duration agreementWait) {
        this.session = session;
        this.keyspace = keyspace;
        this.replication = replication;
        this.lockTtl = lockTtl;
        this.lockWait = lockWait;
        this.agreementWait = agreementWait;
    }

    /** Applies what is pending; returns the versions this run applied (empty: already up to date). */
    public List<Integer> migrate() throws InterruptedException {
        ddl("CREATE KEYSPACE IF NOT EXISTS " + keyspace + " WITH replication = " + replication);
        ddl("CREATE TABLE IF NOT EXISTS " + keyspace + "." + MIGRATIONS_TABLE
                + " (version int PRIMARY KEY, name text, checksum text, applied_at timestamp)");
        ddl("CREATE TABLE IF NOT EXISTS " + keyspace + "." + LOCK_TABLE + " (id text PRIMARY KEY, owner text)");
        String owner = UUID.randomUUID().toString();
        lock(owner);
        try {
            return applyPending();
        } finally {
            session.execute("DELETE FROM " + keyspace + "." + LOCK_TABLE + " WHERE id = 'migrate' IF owner = ?", owner);
        }
    }

    private List<Integer> applyPending() throws InterruptedException {
        Map<Integer, String> applied = new HashMap<>();
        for (Row row : session.execute("SELECT version, checksum FROM " + keyspace + "." + MIGRATIONS_TABLE)) {
            applied.put(row.getInt(0), row.getString(1));
        }
        int known = CqlMigrations.LATEST;
        for (int version : applied.keySet()) {
            if (version > known) {
                throw new IllegalStateException("keyspace " + keyspace + " has migration " + version
                        + " but this build knows only up to " + known + ": run the newer build's migrate");
            }
        }
        List<Integer> done = new ArrayList<>();
        for (CqlMigrations.Migration m : CqlMigrations.all()) {
            String recorded = applied.get(m.version());
            if (recorded != null) {
                if (!recorded.equals(m.checksum())) {
                    throw new IllegalStateException("migration " + m.name() + " was changed after it was applied"
                            + " to keyspace " + keyspace + " (checksum " + recorded + ", file now " + m.checksum()
                            + "): restore it and add the change as a new migration");
                }
                continue;
            }
            for (String statement : m.statements(keyspace)) {
                ddl(statement);
            }
            session.execute(
                    "INSERT INTO " + keyspace + "." + MIGRATIONS_TABLE
                            + " (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)",
                    m.version(),
                    m.name(),
                    m.checksum(),
                    Instant.now());
            log.info("applied Cassandra migration {} to keyspace {}", m.name(), keyspace);
            done.add(m.version());
        }
        return done;
    }

    private void lock(String owner) throws InterruptedException {
        long deadline = System.nanoTime() + lockWait.toNanos();
        boolean waited = false;
        while (!session.execute(
                        "INSERT INTO " + keyspace + "." + LOCK_TABLE
                                + " (id, owner) VALUES ('migrate', ?) IF NOT EXISTS USING TTL ?",
                        owner,
                        (int) lockTtl.toSeconds())
                .wasApplied()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("another migrate run holds the lock of keyspace " + keyspace
                        + " for more than " + lockWait.toSeconds() + " s (it frees itself "
                        + lockTtl.toSeconds() + " s after a crash)");
            }
            if (!waited) {
                log.info("waiting for another migrate run on keyspace {}", keyspace);
                waited = true;
            }
            Thread.sleep(200); // polling interval of the lock, not a timing assertion
        }
    }

    private void ddl(String statement) throws InterruptedException {
        // A table's creation waits for the node to flush schema: on a busy node that outlasts the
        // session's request timeout (2 s, sized for reads and writes), so DDL gets the agreement budget.
        ResultSet rs = session.execute(SimpleStatement.newInstance(statement).setTimeout(agreementWait));
        if (rs.getExecutionInfo().isSchemaInAgreement()) {
            return;
        }
        long deadline = System.nanoTime() + agreementWait.toNanos();
        while (!session.checkSchemaAgreement()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Cassandra nodes disagree on the schema " + agreementWait.toSeconds()
                        + " s after: " + statement + " (check that every node is up, then run migrate again)");
            }
            Thread.sleep(500); // polling interval of the cluster's schema versions
        }
    }
}
