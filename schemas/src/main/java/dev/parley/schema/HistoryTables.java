package dev.parley.schema;

/**
 * The Cassandra tables of DESIGN section 4 (created by the migrations in {@code cql/}, see {@link
 * CqlMigrations}), a contract for readers: the sink writes them, the edge reads them. Partitions
 * stay bounded: messages and reactions are bucketed by seq ({@link #bucket}), so paging by seq needs
 * no time arithmetic. {@code conversation_members} is an addition: the read
 * side's membership check, one partition read.
 */
public final class HistoryTables {

    public static final int BUCKET_SIZE = 1000;

    private HistoryTables() {}

    public static long bucket(long seq) {
        return seq / BUCKET_SIZE;
    }
}
