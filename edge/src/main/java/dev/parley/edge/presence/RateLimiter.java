package dev.parley.edge.presence;

import dev.parley.schema.RedisCircuitBreaker;
import dev.parley.schema.RedisKeys;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * A per-user token bucket in Redis (one Lua script, atomic across edges): {@code perSecond}
 * sustained, {@code burst} at once. While Redis fails or the breaker is open the same limits apply
 * from a bucket in this process ({@link LocalTokenBuckets}): a send is never held up waiting for a
 * Redis that stopped answering, and never let through unlimited either. {@code action} names the
 * bucket ({@link RateLimiters.Action}); empty is the commands bucket.
 */
public final class RateLimiter implements RateLimiters.Limiter {

    private static final Logger log = LoggerFactory.getLogger(RateLimiter.class);

    private final UnifiedJedis redis;
    private final RedisCircuitBreaker breaker;
    private final RedisKeys keys;
    private final String action;
    private final double perSecond;
    private final int burst;
    private final LongSupplier clock;
    private final String script;
    private final LocalTokenBuckets local;
    private final OutageLog outageLog = new OutageLog(log, "rate limiter: Redis unavailable, limiting on this edge");
    private volatile String scriptSha;

    public RateLimiter(
            UnifiedJedis redis,
            RedisCircuitBreaker breaker,
            RedisKeys keys,
            String action,
            double perSecond,
            int burst,
            int maxLocalUsers,
            LongSupplier clock) {
        this.redis = redis;
        this.breaker = breaker;
        this.keys = keys;
        this.action = action;
        this.perSecond = perSecond;
        this.burst = burst;
        this.clock = clock;
        this.script = resource("token_bucket.lua");
        this.local = new LocalTokenBuckets(perSecond, burst, maxLocalUsers);
    }

    @Override
    public boolean tryAcquire(String userId) {
        // the commands bucket keeps its old key; every other action has its own bucket beside it
        List<String> key = List.of(action.isEmpty() ? keys.rateLimit(userId) : keys.rateLimit(userId) + ":" + action);
        long now = clock.getAsLong();
        List<String> args = List.of(Double.toString(perSecond), Integer.toString(burst), Long.toString(now));
        try {
            boolean taken = Long.valueOf(1L).equals(breaker.call(() -> run(key, args)));
            outageLog.over();
            return taken;
        } catch (RuntimeException e) {
            outageLog.failed(e);
            return local.tryAcquire(userId, now);
        }
    }

    /**
     * EVALSHA: the script travels once, not with every command, and Redis skips hashing it per call.
     * A Redis that restarted or flushed its script cache answers NOSCRIPT, and the script is loaded
     * again.
     */
    private Object run(List<String> key, List<String> args) {
        String sha = scriptSha;
        if (sha != null) {
            try {
                return redis.evalsha(sha, key, args);
            } catch (JedisNoScriptException e) {
                scriptSha = null;
            }
        }
        scriptSha = redis.scriptLoad(script);
        return redis.evalsha(scriptSha, key, args);
    }

    private static String resource(String name) {
        try (InputStream in = RateLimiter.class.getResourceAsStream("/dev/parley/edge/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
