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
 * after the producer's {@code linger.ms}. A record produced {@code linger.ms} or more after the one
 * before it starts a batch alone (the earlier batch has left already), and would wait the whole
 * linger for company that is not coming: that wait was a fixed 5 ms on every lone message and every
 * typing signal. Commands closer together than the linger still batch as before, which is what the
 * linger is for under load (fewer produce requests for the broker and the topology's fetch).
 *
 * <p>Kafka's producer has no "send this batch now" call; {@link Producer#flush()} makes every
 * batch sendable at once, but blocks until they are acknowledged, so it runs on a thread of its
 * own. At most one flush is running or queued: sends that arrive during one go out at once anyway
 * (the producer treats every batch as ready while a flush is in progress), so a second would add
 * nothing, and the thread's queue is bounded by construction.
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
    private final AtomicBoolean flushing = new AtomicBoolean();
    private final ExecutorService flusher;

    /** @param gapMs the producer's linger: a send this long after the one before it is flushed */
    IdleFlush(Producer<?, ?> producer, long gapMs, LongSupplier nanoClock) {
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
     * Called right after a record was handed to the producer: true if it ended a quiet spell and a
     * flush was asked for (false also while one is running, which sends it at once too).
     */
    boolean afterSend() {
        long now = nanoClock.getAsLong();
        long latest = latestSendNanos.getAndAccumulate(now, Math::max);
        boolean endsQuietSpell = latest == NEVER || now - latest >= gapNanos;
        if (!endsQuietSpell || !flushing.compareAndSet(false, true)) {
            return false;
        }
        try {
            flusher.execute(this::flush);
            return true;
        } catch (RejectedExecutionException e) {
            // closing: the producer's close sends what is left
            flushing.set(false);
            return false;
        }
    }

    /** Whether a flush is running or queued (tests wait for one to end). */
    boolean flushRunning() {
        return flushing.get();
    }

    private void flush() {
        try {
            producer.flush();
        } catch (RuntimeException e) {
            // interrupted at close, or the producer closed under it; each send's callback has its outcome
        } finally {
            flushing.set(false);
        }
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
