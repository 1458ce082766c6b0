package dev.parley.connect.push;

import dev.parley.schema.Platform;
import dev.parley.schema.PushRequest;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Sends pushes through one lane per provider, each with its own in-flight limit and queue, so a
 * provider that is slow or down only ever delays its own pushes. Retries are scheduled on a timer
 * (never a sleeping thread) and {@link Listener#finished} is called once per push with its final
 * outcome: accepted, device gone, or failed (including "gave up after N tries").
 */
final class PushDispatcher {

    interface Listener {
        void finished(Attempt attempt, PushOutcome outcome);

        /** The attempt failed and will be tried again (counted by the metrics). */
        default void retrying(Attempt attempt, PushOutcome.Retry retry) {}
    }

    /** One push and how often it was tried; {@code tag} is the caller's (the sink record). */
    static final class Attempt {
        final PushRequest push;
        final Object tag;
        int tries;

        Attempt(PushRequest push, Object tag) {
            this.push = push;
            this.tag = tag;
        }
    }

    private final Map<Platform, Lane> lanes = new EnumMap<>(Platform.class);
    private final RetryPolicy retry;
    private final ScheduledExecutorService timer;
    private final Listener listener;

    PushDispatcher(
            Map<Platform, PushSender> senders,
            int maxInFlight,
            RetryPolicy retry,
            ScheduledExecutorService timer,
            Listener listener) {
        senders.forEach((platform, sender) -> lanes.put(platform, new Lane(sender, maxInFlight)));
        this.retry = retry;
        this.timer = timer;
        this.listener = listener;
    }

    boolean supports(Platform platform) {
        return lanes.containsKey(platform);
    }

    void submit(PushRequest push, Object tag) {
        lanes.get(push.getPlatform()).enqueue(new Attempt(push, tag));
    }

    private final class Lane {
        private final PushSender sender;
        private final int maxInFlight;
        private final ArrayDeque<Attempt> queue = new ArrayDeque<>();
        private int inFlight;

        Lane(PushSender sender, int maxInFlight) {
            this.sender = sender;
            this.maxInFlight = maxInFlight;
        }

        void enqueue(Attempt attempt) {
            synchronized (this) {
                queue.add(attempt);
            }
            drain();
        }

        private void drain() {
            while (true) {
                Attempt next;
                synchronized (this) {
                    if (inFlight >= maxInFlight || queue.isEmpty()) {
                        return;
                    }
                    next = queue.poll();
                    inFlight++;
                }
                start(next);
            }
        }

        private void start(Attempt attempt) {
            attempt.tries++;
            CompletableFuture<PushOutcome> sent;
            try {
                sent = sender.send(attempt.push);
            } catch (RuntimeException e) {
                sent = CompletableFuture.failedFuture(e);
            }
            sent.whenComplete((outcome, error) -> {
                synchronized (this) {
                    inFlight--;
                }
                handle(attempt, error == null ? outcome : asRetry(error));
                drain();
            });
        }

        private void handle(Attempt attempt, PushOutcome outcome) {
            if (!(outcome instanceof PushOutcome.Retry r)) {
                listener.finished(attempt, outcome);
            } else if (!retry.mayRetry(attempt.tries)) {
                listener.finished(
                        attempt, new PushOutcome.Failed("gave up after " + attempt.tries + " tries: " + r.reason()));
            } else {
                listener.retrying(attempt, r);
                Duration wait = retry.delay(attempt.tries, r.retryAfter());
                timer.schedule(() -> enqueue(attempt), wait.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }

    private static PushOutcome asRetry(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return new PushOutcome.Retry(cause.getClass().getSimpleName() + ": " + cause.getMessage(), null);
    }
}
