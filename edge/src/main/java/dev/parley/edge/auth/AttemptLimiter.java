package dev.parley.edge.auth;

import dev.parley.edge.ApiException;
import dev.parley.schema.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * A fixed-window counter per key in Redis ({@code attempt_window.lua}, atomic across edges): at most
 * {@code limit} counted attempts per {@code window}, then {@link ErrorCode#RATE_LIMITED} with the
 * seconds until the window ends. Failed logins and registrations use it. An attempt is counted
 * before it is made ({@link #count}), atomically, so parallel attempts cannot all pass a check that
 * none of them has counted yet; one that turns out not to count (the right password) is given back
 * ({@link #release}), so a user who types their password right is never slowed.
 *
 * <p>Redis unreachable: the attempt goes ahead (logged), as for the command limiter; bcrypt still
 * bounds how fast passwords can be tried.
 */
public final class AttemptLimiter {

    private static final Logger log = LoggerFactory.getLogger(AttemptLimiter.class);
    private static final String SCRIPT = resource("attempt_window.lua");

    private final UnifiedJedis redis;
    private final int limit;
    private final Duration window;
    private final String what;

    /** @param what says in the 429 message what was limited ("wrong passwords for this account"). */
    public AttemptLimiter(UnifiedJedis redis, int limit, Duration window, String what) {
        this.redis = redis;
        this.limit = limit;
        this.window = window;
        this.what = what;
    }

    /** Throws rate_limited if {@code key} used up its window, else counts this attempt. */
    public void count(String key) {
        run(key, "1");
    }

    /** Gives back one attempt {@link #count} counted, which turned out not to count. */
    public void release(String key) {
        run(key, "-1");
    }

    /** Forgets {@code key}'s attempts (a successful login). */
    public void reset(String key) {
        try {
            redis.del(key);
        } catch (JedisException e) {
            log.warn("attempt limiter unreachable, {} not reset: {}", key, e.toString());
        }
    }

    private void run(String key, String mode) {
        long waitMs;
        try {
            // EVAL, not EVALSHA: logins and registrations are rare next to commands, and bcrypt costs
            // far more than sending the script
            Object result = redis.eval(
                    SCRIPT, List.of(key), List.of(Integer.toString(limit), Long.toString(window.toMillis()), mode));
            waitMs = (Long) result;
        } catch (JedisException e) {
            log.warn("attempt limiter unreachable, letting {} through: {}", key, e.toString());
            return;
        }
        if (waitMs > 0) {
            long seconds = Math.max(1, (waitMs + 999) / 1000);
            throw new ApiException(
                    ErrorCode.RATE_LIMITED,
                    "too many " + what + "; retry in " + seconds + " s",
                    Duration.ofSeconds(seconds));
        }
    }

    private static String resource(String name) {
        try (InputStream in = AttemptLimiter.class.getResourceAsStream("/dev/parley/edge/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
