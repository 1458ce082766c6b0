package dev.parley.connect.push;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How long to wait before try {@code n+1}: the provider's Retry-After when it sent one, else
 * exponential backoff with jitter (so a provider recovering from an outage is not hit by every
 * task at the same instant); never longer than {@code maxBackoff}.
 */
record RetryPolicy(int maxAttempts, Duration backoff, Duration maxBackoff) {

    boolean mayRetry(int attemptsSoFar) {
        return attemptsSoFar < maxAttempts;
    }

    Duration delay(int attemptsSoFar, Duration retryAfter) {
        if (retryAfter != null) {
            return retryAfter.compareTo(maxBackoff) > 0 ? maxBackoff : retryAfter;
        }
        long base = backoff.toMillis() << Math.min(attemptsSoFar - 1, 20);
        long capped = Math.min(base, maxBackoff.toMillis());
        return Duration.ofMillis(capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1));
    }
}
