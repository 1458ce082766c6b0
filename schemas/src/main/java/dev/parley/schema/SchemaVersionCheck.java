package dev.parley.schema;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;

/**
 * What every process that uses Cassandra runs at start instead of DDL: the keyspace's recorded
 * schema version must be the one this build needs ({@link CqlMigrations#LATEST}), or the process
 * refuses to start with one line saying what to run. Only the migrate step changes the schema.
 */
public final class SchemaVersionCheck {

    /** The keyspace is not at the version this build needs; the message is the line to show. */
    public static final class SchemaVersionMismatch extends RuntimeException {
        public SchemaVersionMismatch(String message) {
            super(message);
        }
    }

    private SchemaVersionCheck() {}

    /** The highest version recorded in {@code keyspace}, 0 when it has no migrations table. */
    public static int recordedVersion(CqlSession session, String keyspace) {
        // system_schema, not the driver's metadata: that lags behind a migration run from elsewhere
        boolean hasTable = session.execute(
                                "SELECT table_name FROM system_schema.tables WHERE keyspace_name = ? AND table_name = ?",
                                keyspace,
                                CassandraMigrator.MIGRATIONS_TABLE)
                        .one()
                != null;
        if (!hasTable) {
            return 0;
        }
        int max = 0;
        for (Row row : session.execute("SELECT version FROM " + keyspace + "." + CassandraMigrator.MIGRATIONS_TABLE)) {
            max = Math.max(max, row.getInt(0));
        }
        return max;
    }

    /** Throws {@link SchemaVersionMismatch} unless {@code keyspace} is at {@link CqlMigrations#LATEST}. */
    public static void require(CqlSession session, String keyspace) {
        int recorded = recordedVersion(session, keyspace);
        if (recorded < CqlMigrations.LATEST) {
            throw new SchemaVersionMismatch("Cassandra schema of keyspace " + keyspace + " is at version " + recorded
                    + " but this build needs " + CqlMigrations.LATEST + ": run `parley migrate` (README, Upgrades)");
        }
        if (recorded > CqlMigrations.LATEST) {
            throw new SchemaVersionMismatch("Cassandra schema of keyspace " + keyspace + " is at version " + recorded
                    + " but this build knows only up to " + CqlMigrations.LATEST
                    + ": this build is older than the schema; deploy the newer build");
        }
    }
}
