package dev.parley.bench.e2e;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Sends at a fixed rate whatever the system does (open loop): send i is due at start + i/rate and
 * goes out then, through senders taken in turn. Its latency counts from that due time.
 */
final class OpenLoop {

    record Sender(BenchClient client, String conversationId) {}

    /** What one due send does: a {@code send} frame, or a {@code typing} frame. */
    @FunctionalInterface
    interface Frame {
        void send(Sender sender, long dueNanos);
    }

    private static final AtomicLong IDS = new AtomicLong();

    private OpenLoop() {}

    /**
     * Runs warm-up plus the measured window, then waits {@code drain} for the last deliveries, and
     * longer while they are still arriving.
     * Returns the number of sends in the measured window.
     */
    static long run(
            List<Sender> senders,
            double ratePerSecond,
            Duration warmup,
            Duration measured,
            Duration drain,
            int bodyBytes,
            Measurements m) {
        return run(senders, ratePerSecond, warmup, measured, drain, m, (s, due) -> s.client()
                .send("b" + IDS.incrementAndGet(), s.conversationId(), due, bodyBytes));
    }

    /** The same schedule, each due send being {@code frame}. */
    static long run(
            List<Sender> senders,
            double ratePerSecond,
            Duration warmup,
            Duration measured,
            Duration drain,
            Measurements m,
            Frame frame) {
        long period = (long) (1e9 / ratePerSecond);
        long start = System.nanoTime() + 50_000_000L;
        long from = start + warmup.toNanos();
        long until = from + measured.toNanos();
        m.recordFromNanos = from;
        m.recordUntilNanos = until;
        long inWindow = 0;
        for (long i = 0; ; i++) {
            long due = start + i * period;
            if (due >= until) {
                break;
            }
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            Sender s = senders.get((int) (i % senders.size()));
            frame.send(s, due);
            if (due >= from) {
                inWindow++;
            }
        }
        if (drain.compareTo(QUIET) < 0) {
            LockSupport.parkNanos(drain.toNanos());
        } else {
            LockSupport.parkNanos(drain.minus(QUIET).toNanos());
            awaitQuiet(m);
        }
        return inWindow;
    }

    /** How long past the drain deliveries may still be arriving before the run is called done. */
    static final Duration MAX_EXTRA_DRAIN = Duration.ofSeconds(60);

    /** A drain's last second: no frame at all in it means the stack has delivered what it will. */
    private static final Duration QUIET = Duration.ofSeconds(1);

    /**
     * Waits the drain's last second and, past it, while frames are still arriving (any in the last
     * second), for at most {@link #MAX_EXTRA_DRAIN}. A stack that kept up is quiet by then and the
     * drain stays what it was; one that fell behind is given time to deliver what it accepted, so a
     * run counts what is late as late (in its percentiles) rather than as missing, which a fixed
     * drain did on a loaded machine (a smoke run once counted 185 of 500 delivered). Any frame
     * counts, not only the window's: a stack still working off the warm-up's backlog sends none of
     * the window for a while, and counting only those once ended a profile run at 0 of 20,000.
     */
    private static void awaitQuiet(Measurements m) {
        long drainEnds = System.nanoTime() + QUIET.toNanos();
        long deadline = drainEnds + MAX_EXTRA_DRAIN.toNanos();
        long seen = m.frames.sum();
        while (System.nanoTime() < deadline) {
            LockSupport.parkNanos(QUIET.toNanos());
            long now = m.frames.sum();
            if (now == seen) {
                break;
            }
            seen = now;
        }
        long extraMs = (System.nanoTime() - drainEnds) / 1_000_000;
        if (extraMs > 500) {
            System.out.printf("drain extended by %.1f s: frames were still arriving%n", extraMs / 1e3);
        }
    }
}
