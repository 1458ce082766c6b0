package dev.parley.edge.messaging;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.producer.Producer;

/**
 * Sends a command at once when it ends a quiet spell of the edge's command producer, instead of
 * after the producer's {@code linger.ms}. A record produced long after the one before it starts a
 * batch alone and would wait the whole linger for company that is not coming: a fixed 5 ms on every
 * lone message and every typing signal.
 *
 * <p>The quiet spell is {@code commands.flush.after.idle.ms} (20 ms), not the linger itself. While
 * a flush runs, the producer treats every batch as ready, so every command sent before its acks
 * return skips the linger too. With a spell as short as the linger, an edge taking 100 commands/s
 * flushed most of them one by one: in the benchmark the edge's CPU per message rose by a fifth and
 * the p99 of those messages by 40 to 90 ms (BENCHMARKS.md, "Session 17"). At 20 ms, as for the
 * topology's requested commits ({@code commit.after.idle.ms}), only an edge whose commands really
 * are rare flushes, and a busy one batches as before.
 *
 * <p>Kafka's producer has no "send this batch now" call; {@link Producer#flush()} makes every
 * batch sendable at once but blocks until they are acknowledged, so it runs on a thread of its
 * own. At most one flush task runs or waits, so the thread's queue is bounded by construction; a
 * quiet spell's end seen while one runs is flushed by that task once its flush returns (it may have
 * come too late for it).
 *
 * <p>Only when a record is sent changes, never what or in which order (idempotence and the
 * producer's in-flight limit keep each partition's order), so no guarantee depends on this. A
 * failed send is reported by the send's own callback; the flush only waits for it.
 */
final class IdleFlush implements AutoCloseable {

    private static final long NEVER = Long.MIN_VALUE;

    private final Producer<?, ?> producer;
    private final long gapNanos;
    private final LongSupplier nanoClock;
    private final AtomicLong latestSendNanos = new AtomicLong(NEVER);
    /** A send ended a quiet spell and no flush has started since. */
    private final AtomicBoolean wanted = new AtomicBoolean();
    /** The flush task is queued or running. */
    private final AtomicBoolean flushing = new AtomicBoolean();

    private final ExecutorService flusher;

    /** @param gapMs a send this long or more after the one before it is flushed; positive */
    IdleFlush(Producer<?, ?> producer, long gapMs, LongSupplier nanoClock) {
        if (gapMs <= 0) {
            throw new IllegalArgumentException("the quiet spell must be positive: " + gapMs);
        }
        this.producer = producer;
        this.gapNanos = TimeUnit.MILLISECONDS.toNanos(gapMs);
        this.nanoClock = nanoClock;
        this.flusher = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "parley-edge-command-flush");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Called right after a record was handed to the producer: true if it ended a quiet spell, so a
     * flush follows (started now, or by the task already running once its flush returns).
     */
    boolean afterSend() {
        long now = nanoClock.getAsLong();
        long latest = latestSendNanos.getAndAccumulate(now, Math::max);
        if (latest != NEVER && now - latest < gapNanos) {
            return false;
        }
        wanted.set(true);
        if (flushing.compareAndSet(false, true)) {
            try {
                flusher.execute(this::flushWhileWanted);
            } catch (RejectedExecutionException e) {
                // closing: the producer's close sends what is left
                flushing.set(false);
                return false;
            }
        }
        return true;
    }

    /** Whether the flush task is queued or running (tests wait for it to end). */
    boolean flushRunning() {
        return flushing.get();
    }

    private void flushWhileWanted() {
        do {
            try {
                while (wanted.getAndSet(false)) {
                    producer.flush();
                }
            } catch (RuntimeException e) {
                // interrupted at close, or the producer closed under it; each send's callback has its outcome
                wanted.set(false);
            } finally {
                flushing.set(false);
            }
            // a spell's end seen between the last flush's return and the line above found the task
            // still running and left it to this one
        } while (wanted.get() && flushing.compareAndSet(false, true));
    }

    /**
     * Stops the flush thread before the producer closes: a flush still waiting for its acks is
     * interrupted (it only waits; the producer's close sends and acknowledges what is left).
     */
    @Override
    public void close() {
        flusher.shutdownNow();
        try {
            flusher.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
