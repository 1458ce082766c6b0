package dev.parley.edge.history;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Receipts of a large conversation as counts, not lists: how many members have had message {@code
 * seq} delivered and how many have read it. In a channel receipts go to the reader alone (a read
 * of one subscriber must not reach 100,000 others), so this is how a sender learns "read by 1,234".
 *
 * <p>Counted from the {@code receipts} partition the Cassandra sink writes (one row per member with
 * a watermark; the sink deletes a row when its member leaves). A scan of it is cached per
 * conversation for {@code cacheMillis} as two sorted arrays of watermarks, so any seq's counts are
 * two binary searches, and a channel costs one partition scan per edge and cache period however
 * often its members ask. A scan reads at most {@code maxRows} rows: beyond that the counts are lower
 * bounds, and the answer says {@code partial}.
 */
public final class ReceiptCounts {

    /** Members (the message's sender left out) whose watermark is at least the seq. */
    public record Counts(long delivered, long read, boolean partial) {}

    private record Snapshot(long[] delivered, long[] read, boolean partial, long takenAt) {}

    private final CqlSession session;
    private final PreparedStatement scan;
    private final PreparedStatement one;
    private final int maxRows;
    private final long cacheMillis;
    private final LongSupplier clock;
    private final Map<String, Snapshot> cache;

    public ReceiptCounts(
            CqlSession session, String keyspace, int maxRows, long cacheMillis, int cacheEntries, LongSupplier clock) {
        this.session = session;
        this.maxRows = maxRows;
        this.cacheMillis = cacheMillis;
        this.clock = clock;
        this.scan = session.prepare(
                "SELECT delivered, read FROM " + keyspace + ".receipts WHERE conversation_id = ?" + " LIMIT ?");
        this.one = session.prepare(
                "SELECT delivered, read FROM " + keyspace + ".receipts WHERE conversation_id = ? AND user_id = ?");
        this.cache = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Snapshot> eldest) {
                return size() > cacheEntries;
            }
        };
    }

    /** The counts for message {@code seq} of {@code conversationId}, sent by {@code sender}. */
    public Counts of(String conversationId, long seq, String sender) {
        Snapshot s = snapshot(conversationId);
        long delivered = atLeast(s.delivered(), seq);
        long read = atLeast(s.read(), seq);
        // a sender's own watermarks pass their message as soon as they read on: not a receipt
        Row own = sender == null
                ? null
                : session.execute(one.bind(conversationId, sender)).one();
        if (own != null) {
            delivered -= watermark(own, "delivered") >= seq ? 1 : 0;
            read -= watermark(own, "read") >= seq ? 1 : 0;
        }
        return new Counts(Math.max(0, delivered), Math.max(0, read), s.partial());
    }

    private Snapshot snapshot(String conversationId) {
        long now = clock.getAsLong();
        synchronized (cache) {
            Snapshot cached = cache.get(conversationId);
            if (cached != null && now - cached.takenAt() < cacheMillis) {
                return cached;
            }
        }
        long[] delivered = new long[64];
        long[] read = new long[64];
        int n = 0;
        boolean partial = false;
        for (Row row : session.execute(scan.bind(conversationId, maxRows + 1))) {
            if (n == maxRows) {
                partial = true; // the one more row says the partition was cut short
                break;
            }
            if (n == delivered.length) {
                delivered = Arrays.copyOf(delivered, n * 2);
                read = Arrays.copyOf(read, n * 2);
            }
            // a read message was delivered too, whatever order the two receipts came in
            read[n] = watermark(row, "read");
            delivered[n] = Math.max(watermark(row, "delivered"), read[n]);
            n++;
        }
        delivered = Arrays.copyOf(delivered, n);
        read = Arrays.copyOf(read, n);
        Arrays.sort(delivered);
        Arrays.sort(read);
        Snapshot s = new Snapshot(delivered, read, partial, now);
        synchronized (cache) {
            cache.put(conversationId, s);
        }
        return s;
    }

    /** How many of the sorted {@code marks} are at least {@code seq}. */
    static long atLeast(long[] marks, long seq) {
        int i = Arrays.binarySearch(marks, seq);
        if (i < 0) {
            i = -i - 1;
        } else {
            while (i > 0 && marks[i - 1] == seq) {
                i--;
            }
        }
        return marks.length - i;
    }

    private static long watermark(Row row, String column) {
        return row.isNull(column) ? 0 : row.getLong(column);
    }
}
