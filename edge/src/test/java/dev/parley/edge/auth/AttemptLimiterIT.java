package dev.parley.edge.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.edge.ApiException;
import dev.parley.schema.ErrorCode;
import dev.parley.testkit.FreePorts;
import dev.parley.testkit.RedisServerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.JedisPooled;

/** The fixed-window attempt counter against a real Redis. */
@ExtendWith(RedisServerExtension.class)
class AttemptLimiterIT {

    private JedisPooled redis;
    private AttemptLimiter limiter;
    private String key;

    @BeforeEach
    void setUp() {
        redis = new JedisPooled(RedisServerExtension.url());
        limiter = new AttemptLimiter(redis, 3, Duration.ofMinutes(15), "wrong passwords");
        key = RedisServerExtension.newKeyPrefix() + "authfail:user:alice";
    }

    @AfterEach
    void tearDown() {
        redis.close();
    }

    @Test
    void shouldRefuseTheAttemptAfterTheLimitWithTheSecondsLeftInTheWindow() {
        for (int i = 0; i < 3; i++) {
            limiter.count(key);
        }
        assertThatThrownBy(() -> limiter.count(key))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMITED);
                    assertThat(e.retryAfter()).isBetween(Duration.ofSeconds(1), Duration.ofMinutes(15));
                })
                .hasMessageContaining("too many wrong passwords");
        assertThat(redis.get(key)).as("a blocked attempt is not counted").isEqualTo("3");
        assertThat(redis.pttl(key))
                .as("every key has a TTL")
                .isBetween(1L, Duration.ofMinutes(15).toMillis());
    }

    @Test
    void shouldLetNoMoreThanTheLimitThroughWhenAttemptsArriveTogether() throws Exception {
        // what a check-then-count limiter let through: every parallel attempt passed the check before
        // the first of them was counted
        int attempts = 40;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Boolean>> admitted = new ArrayList<>();
            for (int i = 0; i < attempts; i++) {
                admitted.add(pool.submit(() -> {
                    start.await();
                    try {
                        limiter.count(key);
                        return true;
                    } catch (ApiException e) {
                        return false;
                    }
                }));
            }
            start.countDown();
            int through = 0;
            for (Future<Boolean> f : admitted) {
                through += f.get(10, TimeUnit.SECONDS) ? 1 : 0;
            }
            assertThat(through).isEqualTo(3);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void shouldGiveBackAReleasedAttemptButNeverGoBelowNothing() {
        for (int i = 0; i < 3; i++) {
            limiter.count(key);
        }
        limiter.release(key);
        assertThatCode(() -> limiter.count(key)).doesNotThrowAnyException();
        assertThatThrownBy(() -> limiter.count(key)).isInstanceOf(ApiException.class);
        String other = key + ":other";
        limiter.release(other);
        assertThat(redis.exists(other)).as("releasing nothing writes nothing").isFalse();
        limiter.count(other);
        limiter.release(other);
        limiter.release(other);
        assertThat(redis.get(other)).isEqualTo("0");
        for (int i = 0; i < 3; i++) {
            limiter.count(other);
        }
        assertThatThrownBy(() -> limiter.count(other)).isInstanceOf(ApiException.class);
    }

    @Test
    void shouldForgetTheAttemptsOnReset() {
        for (int i = 0; i < 3; i++) {
            limiter.count(key);
        }
        limiter.reset(key);
        assertThatCode(() -> limiter.count(key)).doesNotThrowAnyException();
    }

    @Test
    void shouldLetAttemptsThroughWhenRedisIsUnreachable() {
        try (JedisPooled nowhere = new JedisPooled("127.0.0.1", FreePorts.next())) {
            AttemptLimiter blind = new AttemptLimiter(nowhere, 1, Duration.ofMinutes(15), "wrong passwords");
            for (int i = 0; i < 3; i++) {
                assertThatCode(() -> blind.count("any")).doesNotThrowAnyException();
            }
            assertThatCode(() -> blind.reset("any")).doesNotThrowAnyException();
        }
    }
}
