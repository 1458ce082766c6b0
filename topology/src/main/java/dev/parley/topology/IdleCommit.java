package dev.parley.topology;

/**
 * Whether a record should be committed at once instead of at the next commit interval: when its
 * task had no input for at least {@code gapMs} before it. A record that arrives after a quiet spell
 * is most likely alone, and under exactly_once_v2 nothing it produces is visible (not its {@code
 * sent} ack, not its committed delivery) until a commit; asking for one right after it saves it the
 * wait for the interval (on average half of it). Under load records arrive closer together than
 * the gap and commits stay on the interval, so the broker's per-commit work does not grow with the
 * rate. Wall-clock time decides only <em>when</em> a transaction commits, never what it holds, so a
 * replay still writes the same bytes.
 */
final class IdleCommit {

    private final long gapMs;
    private long lastRecordMs = Long.MIN_VALUE;

    /** @param gapMs the quiet spell after which a record is committed at once; 0 turns this off */
    IdleCommit(long gapMs) {
        this.gapMs = gapMs;
    }

    /** A record arrived at {@code nowMs} (wall clock): true if its task should commit right after it. */
    boolean afterRecordAt(long nowMs) {
        boolean idle = gapMs > 0 && (lastRecordMs == Long.MIN_VALUE || nowMs - lastRecordMs >= gapMs);
        lastRecordMs = nowMs;
        return idle;
    }
}
