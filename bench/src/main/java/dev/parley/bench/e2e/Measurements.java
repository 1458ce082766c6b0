package dev.parley.bench.e2e;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * What one run saw, recorded from many socket threads: end-to-end latency (per recipient), send to
 * {@code sent}, deliveries and errors by code. Latencies are from the moment the open-loop schedule
 * meant the send to happen, so a stall in the generator or the system counts against us (no
 * coordinated omission).
 */
final class Measurements {

    final Histogram endToEndMicros = new ConcurrentHistogram(3_600_000_000L, 3);
    final Histogram sendToSentMicros = new ConcurrentHistogram(3_600_000_000L, 3);
    /** Send to the recipient's early ({@code "tentative":true}) message frame, for {@code ?early=1} sockets. */
    final Histogram earlyMicros = new ConcurrentHistogram(3_600_000_000L, 3);
    /** Typing frame sent to the peer's {@code typing} frame. */
    final Histogram typingMicros = new ConcurrentHistogram(3_600_000_000L, 3);
    /**
     * When the outstanding typing frame of each (conversation, sender) was due: a typing frame has
     * no body to carry its send time, and the throttle passes one per second per pair, so the
     * harness keeps at most one outstanding per pair and the receiver looks it up.
     */
    final Map<String, Long> typingDue = new ConcurrentHashMap<>();

    final LongAdder sent = new LongAdder();
    final LongAdder acknowledged = new LongAdder();
    final LongAdder delivered = new LongAdder();
    final LongAdder deliveredEarly = new LongAdder();
    final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    volatile long recordFromNanos = Long.MAX_VALUE;
    volatile long recordUntilNanos = Long.MAX_VALUE;

    /**
     * Every answer frame seen so far (deliveries, early frames, acks, typing), of the window or not:
     * a stack still working off the warm-up's backlog sends frames of the warm-up first.
     */
    final LongAdder frames = new LongAdder();

    boolean inWindow(long intendedNanos) {
        return intendedNanos >= recordFromNanos && intendedNanos < recordUntilNanos;
    }

    void delivered(long intendedNanos, long nowNanos) {
        frames.increment();
        if (inWindow(intendedNanos)) {
            delivered.increment();
            endToEndMicros.recordValue(Math.max(0, (nowNanos - intendedNanos) / 1000));
        }
    }

    /** An early frame arrived; {@link #delivered} still counts the message once it is committed (confirmed). */
    void deliveredEarly(long intendedNanos, long nowNanos) {
        frames.increment();
        if (inWindow(intendedNanos)) {
            deliveredEarly.increment();
            earlyMicros.recordValue(Math.max(0, (nowNanos - intendedNanos) / 1000));
        }
    }

    void acknowledged(long intendedNanos, long nowNanos) {
        frames.increment();
        if (inWindow(intendedNanos)) {
            acknowledged.increment();
            sendToSentMicros.recordValue(Math.max(0, (nowNanos - intendedNanos) / 1000));
        }
    }

    void typingSent(String conversationId, String sender, long intendedNanos) {
        typingDue.put(conversationId + '|' + sender, intendedNanos);
    }

    /** A peer saw the typing frame of {@code sender}; every peer of a pair counts. */
    void typingSeen(String conversationId, String sender, long nowNanos) {
        frames.increment();
        Long intended = typingDue.get(conversationId + '|' + sender);
        if (intended != null && inWindow(intended)) {
            delivered.increment();
            typingMicros.recordValue(Math.max(0, (nowNanos - intended) / 1000));
        }
    }

    void error(String code) {
        errors.computeIfAbsent(code, c -> new LongAdder()).increment();
    }

    Map<String, Long> errorCounts() {
        Map<String, Long> out = new TreeMap<>();
        errors.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
