package dev.parley.schema;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The Cassandra tables of DESIGN section 4 (created by the migrations in {@code cql/}, see {@link
 * CqlMigrations}), a contract for readers: the sink writes them, the edge reads them. Partitions
 * stay bounded: messages and reactions are bucketed by seq ({@link #bucket}), so paging by seq needs
 * no time arithmetic. {@code conversation_members} is an addition: the read
 * side's membership check, one partition read.
 */
public final class HistoryTables {

    public static final int BUCKET_SIZE = 1000;

    /**
     * The UTC day partitioning {@code media_unreferenced} and {@code media_releases}: the sink writes
     * releases, the edges' sweep reads them, one partition a day.
     */
    public static final DateTimeFormatter DAY = DateTimeFormatter.ISO_LOCAL_DATE.withZone(ZoneOffset.UTC);

    private HistoryTables() {}

    public static long bucket(long seq) {
        return seq / BUCKET_SIZE;
    }
}
