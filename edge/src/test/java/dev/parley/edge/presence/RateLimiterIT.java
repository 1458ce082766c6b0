package dev.parley.edge.presence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.schema.RedisKeys;
import dev.parley.testkit.RedisServerExtension;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.JedisPooled;

/** The per-user token bucket against a real Redis, on a clock the test moves. */
@ExtendWith(RedisServerExtension.class)
class RateLimiterIT {

    private final AtomicLong nowMs = new AtomicLong(1_000_000);
    private JedisPooled redis;
    private RateLimiter limiter;

    @BeforeEach
    void setUp() {
        redis = new JedisPooled(RedisServerExtension.url());
        limiter = new RateLimiter(redis, new RedisKeys(RedisServerExtension.newKeyPrefix()), 5, 3, nowMs::get);
    }

    @AfterEach
    void tearDown() {
        redis.close();
    }

    @Test
    void shouldAllowTheBurstThenRefillAtTheRatePerUser() {
        assertThat(takes("alice", 5)).as("a burst of 3 out of 5 at once").isEqualTo(3);
        assertThat(takes("bob", 1)).as("another user's bucket is untouched").isEqualTo(1);
        nowMs.addAndGet(200); // 5/s: one token back after 200 ms
        assertThat(takes("alice", 2)).isEqualTo(1);
        nowMs.addAndGet(10_000); // refills only up to the burst
        assertThat(takes("alice", 5)).isEqualTo(3);
    }

    @Test
    void shouldKeepLimitingAfterRedisForgetsTheScript() {
        assertThat(takes("carol", 3)).isEqualTo(3);
        // what a Redis restart or SCRIPT FLUSH does: the next EVALSHA answers NOSCRIPT
        redis.scriptFlush();
        assertThat(takes("carol", 1))
                .as("bucket still empty, script loaded again")
                .isZero();
        nowMs.addAndGet(200);
        assertThat(takes("carol", 1)).isEqualTo(1);
    }

    private int takes(String user, int attempts) {
        int taken = 0;
        for (int i = 0; i < attempts; i++) {
            if (limiter.tryAcquire(user)) {
                taken++;
            }
        }
        return taken;
    }
}
