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
     * Runs warm-up plus the measured window, then waits {@code drain} for the last deliveries.
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
        LockSupport.parkNanos(drain.toNanos());
        return inWindow;
    }
}
