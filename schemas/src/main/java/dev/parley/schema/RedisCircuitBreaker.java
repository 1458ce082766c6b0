package dev.parley.schema;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Guards every call to one Redis, shared by the edge and the topology's router: after {@code
 * failureThreshold} consecutive failures (a refused connection, or a socket timeout from a Redis
 * that stopped answering) it opens for {@code openFor}, and calls fail at once with {@link
 * OpenException} instead of each waiting out its socket timeout. After the cool-down one caller is
 * let through as a probe (half open): its success closes the breaker and runs the recovery
 * listeners, its failure opens it for another cool-down. Callers fall back to something local when a
 * call fails; this class only decides whether to try.
 *
 * <p>Any exception thrown by the call counts as a failure, so a call must handle the Redis answers
 * it expects (such as NOSCRIPT) itself.
 */
public final class RedisCircuitBreaker {

    public enum State {
        CLOSED,
        OPEN,
        HALF_OPEN
    }

    /** Thrown without a socket wait while the breaker is open. */
    public static final class OpenException extends RuntimeException {
        OpenException(String name) {
            super(name + ": Redis unavailable (circuit open)", null, false, false);
        }
    }

    private final String name;
    private final int failureThreshold;
    private final long openForNanos;
    private final LongSupplier nanoClock;
    private final List<Runnable> recoveryListeners = new CopyOnWriteArrayList<>();
    private State state = State.CLOSED;
    private int failures;
    private long openedAt;

    public RedisCircuitBreaker(String name, int failureThreshold, Duration openFor, LongSupplier nanoClock) {
        if (failureThreshold < 1) {
            throw new IllegalArgumentException("failureThreshold must be at least 1");
        }
        this.name = name;
        this.failureThreshold = failureThreshold;
        this.openForNanos = openFor.toNanos();
        this.nanoClock = nanoClock;
    }

    /** Runs {@code call} unless the breaker is open; rethrows its failure after counting it. */
    public <T> T call(Supplier<T> call) {
        boolean probe = admit();
        T result;
        try {
            result = call.get();
        } catch (RuntimeException | Error e) {
            failed(probe);
            throw e;
        }
        succeeded();
        return result;
    }

    /** {@link #call(Supplier)} for a call without a result. */
    public void run(Runnable call) {
        call(() -> {
            call.run();
            return null;
        });
    }

    /**
     * Called (on the thread whose call closed the breaker) each time Redis answers again after the
     * breaker opened: hand real work to another thread.
     */
    public void onRecovery(Runnable listener) {
        recoveryListeners.add(listener);
    }

    /** True while calls are tried (closed); false while they fail fast or only a probe goes through. */
    public synchronized boolean isClosed() {
        return state == State.CLOSED;
    }

    public synchronized State state() {
        return state;
    }

    private synchronized boolean admit() {
        switch (state) {
            case CLOSED:
                return false;
            case OPEN:
                if (nanoClock.getAsLong() - openedAt >= openForNanos) {
                    state = State.HALF_OPEN;
                    return true;
                }
                throw new OpenException(name);
            default:
                // a probe is already out; everyone else keeps failing fast until it returns
                throw new OpenException(name);
        }
    }

    private synchronized void failed(boolean probe) {
        // a call admitted before the breaker opened and failing late neither counts nor extends the cool-down
        if (probe || (state == State.CLOSED && ++failures >= failureThreshold)) {
            open();
        }
    }

    private void open() {
        state = State.OPEN;
        openedAt = nanoClock.getAsLong();
        failures = 0;
    }

    private void succeeded() {
        boolean recovered;
        synchronized (this) {
            // a call admitted while closed may finish after the breaker opened: only a probe closes it
            recovered = state == State.HALF_OPEN;
            if (recovered) {
                state = State.CLOSED;
            }
            if (state == State.CLOSED) {
                failures = 0;
            }
        }
        if (recovered) {
            recoveryListeners.forEach(Runnable::run);
        }
    }

    @Override
    public String toString() {
        return name + " " + state();
    }
}
