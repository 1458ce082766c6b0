package dev.parley.topology;

/**
 * Whether a command should be committed at once instead of at the next commit interval: when its
 * partition had no input for at least {@code gapMs} before it, by the broker's append times
 * ({@code parley.commands.v1} is LogAppendTime). A command that arrives after a quiet spell is most
 * likely alone, and under exactly_once_v2 nothing it produces is visible (not its {@code sent} ack,
 * not its committed delivery) until a commit; asking for one right after it saves it the wait for
 * the interval (on average half of it).
 *
 * <p>Why the append times and not the processing clock: a stream thread busy committing processes
 * nothing for a while, so under load the first record after every commit would look "idle" on
 * the wall clock and ask for another commit, and commits would run back to back (measured: p99 5.5
 * s at 1,000 msgs/s). Input that arrives closer together than the gap never asks, however slow its
 * processing; at most one commit per gap of input time is asked for, so the extra commits peak
 * where the rate is low (about rate / e at 1/gap per partition) and vanish under load.
 *
 * <p>Off by default: with a 20 ms gap the 1,000 msgs/s tail was worse in every run (BENCHMARKS.md,
 * "Session 8"), and a guard that asked only for commands processed promptly after their append did
 * not change that; the mechanism is not known yet.
 *
 * <p>Only <em>when</em> a transaction commits depends on this, never what it holds, so a replay
 * still writes the same bytes.
 */
final class IdleCommit {

    private final long gapMs;
    private long lastAppendMs = Long.MIN_VALUE;

    /** @param gapMs the quiet spell of input after which a command is committed at once; 0 turns this off */
    IdleCommit(long gapMs) {
        this.gapMs = gapMs;
    }

    /** A command appended at {@code appendMs} was processed: true if its task should commit right after it. */
    boolean afterRecordAppendedAt(long appendMs) {
        boolean idle = gapMs > 0 && (lastAppendMs == Long.MIN_VALUE || appendMs - lastAppendMs >= gapMs);
        lastAppendMs = Math.max(lastAppendMs, appendMs);
        return idle;
    }
}
