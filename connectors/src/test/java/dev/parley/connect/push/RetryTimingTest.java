package dev.parley.connect.push;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RetryTimingTest {

    private static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");
    private final RetryPolicy policy = new RetryPolicy(5, Duration.ofSeconds(1), Duration.ofSeconds(60));

    @Test
    void shouldReadRetryAfterAsSecondsOrAnHttpDate() {
        assertThat(RetryAfter.parse("7", NOW)).isEqualTo(Duration.ofSeconds(7));
        assertThat(RetryAfter.parse("Sun, 22 Nov 2026 12:00:30 GMT", NOW)).isEqualTo(Duration.ofSeconds(30));
        assertThat(RetryAfter.parse("Sun, 22 Nov 2026 11:00:00 GMT", NOW)).isEqualTo(Duration.ZERO);
        assertThat(RetryAfter.parse("soon", NOW)).isNull();
        assertThat(RetryAfter.parse("-3", NOW)).isNull();
        assertThat(RetryAfter.parse(null, NOW)).isNull();
    }

    @Test
    void shouldHonourRetryAfterButNeverWaitLongerThanTheCap() {
        assertThat(policy.delay(1, Duration.ofSeconds(5))).isEqualTo(Duration.ofSeconds(5));
        assertThat(policy.delay(1, Duration.ofHours(2))).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void shouldBackOffExponentiallyWithJitterWithinBounds() {
        for (int i = 0; i < 100; i++) {
            assertThat(policy.delay(1, null)).isBetween(Duration.ofMillis(500), Duration.ofMillis(1000));
            assertThat(policy.delay(3, null)).isBetween(Duration.ofMillis(2000), Duration.ofMillis(4000));
            assertThat(policy.delay(30, null)).isBetween(Duration.ofSeconds(30), Duration.ofSeconds(60));
        }
        assertThat(policy.mayRetry(4)).isTrue();
        assertThat(policy.mayRetry(5)).isFalse();
    }
}
