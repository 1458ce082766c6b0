package dev.parley.edge.presence;

import dev.parley.schema.RedisCircuitBreaker;
import dev.parley.schema.RedisKeys;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.SetParams;

/**
 * At most one typing event per second per user and conversation, across all of the user's devices
 * (a key with a 1 s TTL in Redis). While Redis is down the same limit holds per edge, from a
 * one-token bucket in this process.
 */
public final class TypingThrottle {

    private static final Logger log = LoggerFactory.getLogger(TypingThrottle.class);

    private final UnifiedJedis redis;
    private final RedisCircuitBreaker breaker;
    private final RedisKeys keys;
    private final LocalTokenBuckets local;
    private final LongSupplier clock;
    private final OutageLog outageLog =
            new OutageLog(log, "typing throttle: Redis unavailable, throttling on this edge");

    public TypingThrottle(
            UnifiedJedis redis, RedisCircuitBreaker breaker, RedisKeys keys, int maxLocalEntries, LongSupplier clock) {
        this.redis = redis;
        this.breaker = breaker;
        this.keys = keys;
        this.local = new LocalTokenBuckets(1.0, 1, maxLocalEntries);
        this.clock = clock;
    }

    public boolean allow(String userId, String conversationId) {
        try {
            boolean first = "OK"
                    .equals(breaker.call(() -> redis.set(
                            keys.typingThrottle(userId, conversationId),
                            "1",
                            SetParams.setParams().nx().px(1000))));
            outageLog.over();
            return first;
        } catch (RuntimeException e) {
            outageLog.failed(e);
            // U+001F cannot occur in ids, so the pair key is unambiguous
            return local.tryAcquire(userId + '\u001f' + conversationId, clock.getAsLong());
        }
    }
}
