package dev.parley.edge.media;

import dev.parley.edge.ApiException;
import dev.parley.schema.ErrorCode;
import dev.parley.schema.RedisCircuitBreaker;
import dev.parley.schema.RedisKeys;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

/**
 * {@code media.max.bytes.per.day}: the bytes a user may upload per UTC day, counted in Redis (one
 * counter per user and day, TTL two days) so every edge counts the same budget. An upload is
 * refused before its body is read when the day's budget is spent, and charged once its size is
 * known; one that would cross the budget is refused and not charged. While Redis is down uploads are
 * not counted (the rate limiter still bounds them): storing media must not depend on Redis.
 */
public final class UploadQuota {

    private static final Duration KEY_TTL = Duration.ofDays(2);

    private final redis.clients.jedis.UnifiedJedis redis;
    private final RedisCircuitBreaker breaker;
    private final RedisKeys keys;
    private final long maxBytesPerDay;
    private final Clock clock;

    public UploadQuota(
            redis.clients.jedis.UnifiedJedis redis,
            RedisCircuitBreaker breaker,
            RedisKeys keys,
            long maxBytesPerDay,
            Clock clock) {
        this.redis = redis;
        this.breaker = breaker;
        this.keys = keys;
        this.maxBytesPerDay = maxBytesPerDay;
        this.clock = clock;
    }

    /** @throws ApiException {@code rate_limited} when today's budget is already spent */
    public void requireRoom(String userId) {
        Long used = read(userId);
        if (used != null && used >= maxBytesPerDay) {
            throw refused();
        }
    }

    /** Charges {@code bytes}; @throws ApiException {@code rate_limited} (not charged) past the budget */
    public void charge(String userId, long bytes) {
        String key = key(userId);
        Long total;
        try {
            total = breaker.call(() -> {
                long t = redis.incrBy(key, bytes);
                redis.expire(key, KEY_TTL.toSeconds());
                return t;
            });
        } catch (RuntimeException e) {
            return;
        }
        if (total > maxBytesPerDay) {
            try {
                breaker.call(() -> redis.decrBy(key, bytes));
            } catch (RuntimeException e) {
                // the refused bytes stay counted until the key expires: errs on the side of the budget
            }
            throw refused();
        }
    }

    /** Gives back bytes charged for an upload that was not stored after all. */
    public void refund(String userId, long bytes) {
        try {
            breaker.call(() -> redis.decrBy(key(userId), bytes));
        } catch (RuntimeException e) {
            // counted against the user until the key expires
        }
    }

    private Long read(String userId) {
        try {
            String v = breaker.call(() -> redis.get(key(userId)));
            return v == null ? 0L : Long.parseLong(v);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private String key(String userId) {
        return keys.mediaBytesOfDay(userId, MediaCatalog.DAY.format(clock.instant()));
    }

    private ApiException refused() {
        Instant now = clock.instant();
        Instant midnight = now.atZone(ZoneOffset.UTC)
                .toLocalDate()
                .plusDays(1)
                .atStartOfDay(ZoneOffset.UTC)
                .toInstant();
        return new ApiException(
                ErrorCode.RATE_LIMITED,
                "you uploaded " + maxBytesPerDay + " bytes today (media.max.bytes.per.day): try again after 00:00 UTC",
                Duration.ofSeconds(Math.max(1, ChronoUnit.SECONDS.between(now, midnight))));
    }
}
