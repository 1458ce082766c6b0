package dev.parley.edge.presence;

import dev.parley.edge.ApiException;
import dev.parley.schema.ErrorCode;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/**
 * One token bucket per user and action, as Signal-Server's {@code RateLimiters}: a flood of one
 * kind (typing, presence subscriptions, device registrations) cannot spend the budget of another
 * (sends), and every kind has one. The gateway and the endpoints ask here before acting; both
 * transports share it, so a send over HTTP costs what a send over the socket costs.
 */
public final class RateLimiters {

    /** What a bucket bounds; each has its own {@code rate.limit.<name>.*} keys (commands: the old ones). */
    public enum Action {
        /**
         * every command frame but typing (send, read, react, edit, delete, join, leave), every command
         * an HTTP endpoint produces, device removals and notification-settings changes; a command's
         * token is taken before what it names is looked up ({@code CommandGateway.Admission})
         */
        COMMANDS,
        /** ack frames (delivery receipts, coalesced before they reach Kafka) */
        RECEIPTS,
        TYPING,
        /** presence.subscribe frames, presence and username lookups over HTTP */
        PRESENCE,
        /** device registrations */
        DEVICES,
        /** search requests (GET /v1/search, /v1/conversations/{id}/search) */
        SEARCH,
        /** uploads started (POST /v1/media, tus creations) */
        MEDIA,
        /**
         * the reads that have no bucket of their own: history pages, changes, erasure status, the
         * conversation and member lists, media downloads and thumbnails
         */
        READS,
        /** the requests of a tus upload under way: HEAD, PATCH (one per chunk), GET, DELETE */
        UPLOADS
    }

    /** A bucket: true takes one token, false means over the limit. */
    @FunctionalInterface
    public interface Limiter {
        boolean tryAcquire(String userId);
    }

    /** A client over the limit may try again after about one token's refill; whole seconds for Retry-After. */
    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

    private final Map<Action, Limiter> limiters;

    public RateLimiters(Map<Action, ? extends Limiter> limiters) {
        this.limiters = new EnumMap<>(limiters);
        for (Action action : Action.values()) {
            if (!this.limiters.containsKey(action)) {
                throw new IllegalArgumentException("no limiter for " + action);
            }
        }
    }

    /** Every action unlimited: for tests of code around the limiters. */
    public static RateLimiters unlimited() {
        Map<Action, Limiter> all = new EnumMap<>(Action.class);
        for (Action action : Action.values()) {
            all.put(action, user -> true);
        }
        return new RateLimiters(all);
    }

    /**
     * Takes one token of {@code action} for {@code userId}.
     *
     * @throws ApiException {@code rate_limited} (429, Retry-After 1 s) when the bucket is empty
     */
    public void acquire(Action action, String userId) {
        if (!limiters.get(action).tryAcquire(userId)) {
            throw new ApiException(
                    ErrorCode.RATE_LIMITED,
                    "too many " + action.name().toLowerCase(java.util.Locale.ROOT) + " requests; slow down",
                    RETRY_AFTER);
        }
    }
}
