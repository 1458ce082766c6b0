package dev.parley.topology;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Whether a command should be committed at once instead of at the next commit interval: when the
 * instance's input as a whole (every partition it owns, by the broker's append times; {@code
 * parley.commands.v1} is LogAppendTime) had nothing for at least {@code gapMs} before it. A command
 * that ends a quiet spell is most likely alone, and under exactly_once_v2 nothing it produces is
 * visible (not its {@code sent} ack, not its committed delivery) until a commit; asking for one
 * right after it saves it the wait for the interval (on average half of it).
 *
 * <p>One judgement per instance, shared by its tasks, not one per task: the extra commits are then
 * at most one per quiet spell of the instance's whole input, about {@code rate / e} at a rate of
 * one per gap (18/s at 20 ms) and none once the instance's commands arrive closer together than
 * the gap, whatever the partition count. Judged per task (session 8), a partition's own gaps
 * counted: at 1,000 msgs/s over 3 partitions that made 41 commits/s against 30 to 35 on the
 * interval alone; shared, 32.5 (BENCHMARKS.md, "Session 9").
 *
 * <p>On by default (20 ms) since session 10. Session 9 had turned it off after {@code
 * ClusterFaultIT} (a broker stopped, then a topology instance killed with SIGKILL) failed twice with
 * it on; the cause was Kafka 4.2.0's admin client, whose cached leader of a changelog partition was
 * the stopped broker, so every rebalance after the kill waited 60 s in the assignor's end-offset
 * lookup (KAFKA-20673, fixed in 4.2.2), with or without idle commits.
 *
 * <p>Why the append times and not the processing clock: a stream thread busy committing processes
 * nothing for a while, so under load the first record after every commit would look "idle" on the
 * wall clock and ask for another commit, and commits would run back to back (measured: p99 5.5 s
 * at 1,000 msgs/s). Input that arrives closer together than the gap never asks, however slow its
 * processing.
 *
 * <p>And only while the instance keeps up: a command processed {@link #MAX_LAG_MS} or more after
 * its append is part of a backlog. A backlog still has the gaps of its senders in its append times
 * (a client that sends a burst every 100 ms), so without this each burst's first command asked for
 * a commit however late it was processed: extra commits when the instance can least afford them.
 * In {@code ClusterFaultIT} at 60 sends/s (3 brokers, 2 instances and everything else on 2 cores,
 * saturated), the sends of the fourth second (3 to 4 s, before any fault) waited 8.0 s on average
 * with idle commits unguarded, 5.0 s with them off and 4.7 s with a 20 ms guard (one run each,
 * session 11). A lagging instance commits on the interval, as with idle commits off, until it has
 * caught up. The limit is well above a caught-up instance's lag (a poll, a commit in progress, the
 * stream thread's cached clock, a few ms of clock skew between the broker, whose append time this
 * is, and the topology host) and well below the backlogs it is for (seconds); a skew beyond it
 * turns idle commits off (topology clock ahead) or leaves only this guard out (behind), and either
 * way only the timing of commits changes.
 *
 * <p>Only <em>when</em> a transaction commits depends on this, never what it holds, so a replay
 * still writes the same bytes. Thread-safe: the tasks of every stream thread of the instance share
 * one.
 */
final class IdleCommit {

    /** Processed this long or more after its append, a command is part of a backlog: no idle commit. */
    static final long MAX_LAG_MS = 100;

    private final long gapMs;
    private final AtomicLong latestAppendMs = new AtomicLong(Long.MIN_VALUE);

    /** @param gapMs the quiet spell of input after which a command is committed at once; 0 turns this off */
    IdleCommit(long gapMs) {
        this.gapMs = gapMs;
    }

    /**
     * A command appended at {@code appendMs} was processed at {@code processedAtMs} (the stream
     * thread's clock): true if its task should commit right after it.
     */
    boolean afterRecord(long appendMs, long processedAtMs) {
        if (gapMs <= 0) {
            return false;
        }
        long latest = latestAppendMs.getAndAccumulate(appendMs, Math::max);
        boolean endsQuietSpell = latest == Long.MIN_VALUE || appendMs - latest >= gapMs;
        // only while the instance keeps up: a backlog drains fastest on the interval's commits
        return endsQuietSpell && processedAtMs - appendMs < MAX_LAG_MS;
    }
}
