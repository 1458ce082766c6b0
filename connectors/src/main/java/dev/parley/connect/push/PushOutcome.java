package dev.parley.connect.push;

import java.time.Duration;

/** What a provider said about one push. */
sealed interface PushOutcome {

    /** The provider accepted the push. */
    record Accepted() implements PushOutcome {}

    /** The token or subscription is dead (unregistered, invalid, expired): remove the device. */
    record DeviceGone(String reason) implements PushOutcome {}

    /**
     * Worth trying again: throttled (429), provider trouble (5xx) or a network failure. {@code
     * retryAfter} is the provider's Retry-After, or null to use our backoff.
     */
    record Retry(String reason, Duration retryAfter) implements PushOutcome {}

    /** Will never succeed as sent (a malformed request, our credentials refused): dead-letter it. */
    record Failed(String reason) implements PushOutcome {}

    static PushOutcome accepted() {
        return new Accepted();
    }
}
