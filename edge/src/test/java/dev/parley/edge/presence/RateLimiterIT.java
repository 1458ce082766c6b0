package dev.parley.edge.presence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.schema.RedisCircuitBreaker;
import dev.parley.schema.RedisKeys;
import dev.parley.testkit.RedisFaultProxy;
import dev.parley.testkit.RedisServerExtension;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.ConnectionPoolConfig;
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
        limiter = limiter(redis);
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

    private RateLimiter limiter(JedisPooled client) {
        return new RateLimiter(
                client,
                new RedisCircuitBreaker("test", 3, Duration.ofMinutes(1), System::nanoTime),
                new RedisKeys(RedisServerExtension.newKeyPrefix()),
                "",
                5,
                3,
                1000,
                nowMs::get);
    }

    /** A client with a short timeout and a tiny pool, as an edge's is. */
    private static JedisPooled client(String url) {
        ConnectionPoolConfig pool = new ConnectionPoolConfig();
        pool.setMaxTotal(2);
        pool.setMaxWait(Duration.ofSeconds(1));
        return new JedisPooled(pool, URI.create(url), 1000, 1000);
    }

    @Test
    void shouldApplyTheSameLimitsLocallyWhileRedisHangsWithoutWaitingOnItForEveryCommand() {
        try (RedisFaultProxy proxy = RedisFaultProxy.toTestRedis();
                JedisPooled hanging = client(proxy.url())) {
            RateLimiter local = limiter(hanging);
            assertThat(local.tryAcquire("warm-up")).isTrue();
            proxy.hang();
            int before = proxy.accepted();

            assertThat(takesWith(local, "dave", 50))
                    .as("a burst of 3, from the local bucket")
                    .isEqualTo(3);
            nowMs.addAndGet(200);
            assertThat(takesWith(local, "dave", 2)).as("refilled at 5/s").isEqualTo(1);
            assertThat(proxy.accepted() - before)
                    .as("once the breaker opened, no command opened a connection to the hung Redis")
                    .isLessThanOrEqualTo(3);
        }
    }

    @Test
    void shouldApplyTheSameLimitsLocallyWhenRedisIsDead() {
        try (RedisFaultProxy proxy = RedisFaultProxy.toTestRedis();
                JedisPooled dead = client(proxy.url())) {
            RateLimiter local = limiter(dead);
            proxy.kill();
            assertThat(takesWith(local, "erin", 10)).isEqualTo(3);
            assertThat(takesWith(local, "frank", 1)).isEqualTo(1);
        }
    }

    private int takes(String user, int attempts) {
        return takesWith(limiter, user, attempts);
    }

    private static int takesWith(RateLimiter limiter, String user, int attempts) {
        int taken = 0;
        for (int i = 0; i < attempts; i++) {
            if (limiter.tryAcquire(user)) {
                taken++;
            }
        }
        return taken;
    }
}
