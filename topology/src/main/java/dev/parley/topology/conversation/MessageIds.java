package dev.parley.topology.conversation;

/**
 * Snowflake-style 63-bit ids made from the input record, never the wall clock, so a replay after
 * an aborted transaction yields the same id: 41 bits of milliseconds since 2025-01-01 (about 69
 * years), 8 bits of partition, 14 bits of offset. Ids sort by time; two records collide only if
 * the same partition holds offsets 16,384 apart with the same millisecond timestamp.
 */
public final class MessageIds {

    static final long EPOCH_MILLIS = 1_735_689_600_000L;
    private static final long TIME_MASK = (1L << 41) - 1;

    private MessageIds() {}

    public static long of(long timestampMillis, int partition, long offset) {
        long time = (timestampMillis - EPOCH_MILLIS) & TIME_MASK;
        return time << 22 | (long) (partition & 0xFF) << 14 | (offset & 0x3FFF);
    }

    public static long timestampOf(long id) {
        return (id >>> 22) + EPOCH_MILLIS;
    }
}
