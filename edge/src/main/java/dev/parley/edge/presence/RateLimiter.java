package dev.parley.edge.presence;

import dev.parley.schema.RedisKeys;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * A per-user token bucket in Redis (one Lua script, atomic across edges): {@code perSecond}
 * sustained, {@code burst} at once. If Redis is unreachable the limiter lets commands through (and
 * says so in the log): refusing every message because a cache is down would be worse.
 */
public final class RateLimiter {

    private static final Logger log = LoggerFactory.getLogger(RateLimiter.class);

    private final JedisPooled redis;
    private final RedisKeys keys;
    private final double perSecond;
    private final int burst;
    private final LongSupplier clock;
    private final String script;
    private volatile String scriptSha;

    public RateLimiter(JedisPooled redis, RedisKeys keys, double perSecond, int burst, LongSupplier clock) {
        this.redis = redis;
        this.keys = keys;
        this.perSecond = perSecond;
        this.burst = burst;
        this.clock = clock;
        this.script = resource("token_bucket.lua");
    }

    public boolean tryAcquire(String userId) {
        List<String> key = List.of(keys.rateLimit(userId));
        List<String> args =
                List.of(Double.toString(perSecond), Integer.toString(burst), Long.toString(clock.getAsLong()));
        try {
            return Long.valueOf(1L).equals(run(key, args));
        } catch (JedisException e) {
            log.warn("rate limiter unreachable, letting {} through: {}", userId, e.toString());
            return true;
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
