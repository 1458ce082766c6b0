package dev.parley.edge.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.edge.ApiException;
import dev.parley.schema.ErrorCode;
import dev.parley.testkit.FreePorts;
import dev.parley.testkit.RedisServerExtension;
import java.time.Duration;
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
            limiter.check(key);
            limiter.count(key);
        }
        assertThatThrownBy(() -> limiter.check(key))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMITED);
                    assertThat(e.retryAfter()).isBetween(Duration.ofSeconds(1), Duration.ofMinutes(15));
                })
                .hasMessageContaining("too many wrong passwords");
        assertThat(redis.get(key)).isEqualTo("3");
        assertThat(redis.pttl(key))
                .as("every key has a TTL")
                .isBetween(1L, Duration.ofMinutes(15).toMillis());
    }

    @Test
    void shouldNotCountALookOrABlockedAttempt() {
        for (int i = 0; i < 10; i++) {
            limiter.check(key);
        }
        assertThat(redis.exists(key)).isFalse();
        for (int i = 0; i < 3; i++) {
            limiter.count(key);
        }
        assertThatThrownBy(() -> limiter.count(key)).isInstanceOf(ApiException.class);
        assertThat(redis.get(key)).isEqualTo("3");
    }

    @Test
    void shouldForgetTheAttemptsOnReset() {
        for (int i = 0; i < 3; i++) {
            limiter.count(key);
        }
        limiter.reset(key);
        assertThatCode(() -> limiter.check(key)).doesNotThrowAnyException();
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
