package dev.parley.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RedisCircuitBreakerTest {

    private final AtomicLong clock = new AtomicLong();
    private final RedisCircuitBreaker breaker = new RedisCircuitBreaker("test", 3, Duration.ofSeconds(2), clock::get);
    private final AtomicInteger calls = new AtomicInteger();

    private String failing() {
        calls.incrementAndGet();
        throw new IllegalStateException("read timed out");
    }

    private String answering() {
        calls.incrementAndGet();
        return "PONG";
    }

    private void failTimes(int n) {
        for (int i = 0; i < n; i++) {
            assertThatThrownBy(() -> breaker.call(this::failing)).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void shouldStayClosedBelowTheThresholdAndForgetFailuresAfterASuccess() {
        failTimes(2);
        assertThat(breaker.call(this::answering)).isEqualTo("PONG");
        failTimes(2);
        assertThat(breaker.isClosed()).isTrue();
        assertThat(calls).hasValue(5);
    }

    @Test
    void shouldFailFastWithoutCallingRedisOnceOpen() {
        failTimes(3);
        assertThat(breaker.state()).isEqualTo(RedisCircuitBreaker.State.OPEN);
        for (int i = 0; i < 100; i++) {
            assertThatThrownBy(() -> breaker.call(this::answering))
                    .isInstanceOf(RedisCircuitBreaker.OpenException.class);
        }
        assertThat(calls).as("no call reached Redis while open").hasValue(3);
    }

    @Test
    void shouldLetOneProbeThroughAfterTheCoolDownAndCloseOnItsSuccess() {
        AtomicInteger recoveries = new AtomicInteger();
        breaker.onRecovery(recoveries::incrementAndGet);
        failTimes(3);
        clock.addAndGet(Duration.ofSeconds(2).toNanos());

        // while the probe is out, everyone else still fails fast
        String answer = breaker.call(() -> {
            assertThat(breaker.state()).isEqualTo(RedisCircuitBreaker.State.HALF_OPEN);
            assertThatThrownBy(() -> breaker.call(this::answering))
                    .isInstanceOf(RedisCircuitBreaker.OpenException.class);
            return answering();
        });

        assertThat(answer).isEqualTo("PONG");
        assertThat(breaker.isClosed()).isTrue();
        assertThat(recoveries).as("recovery listeners run once per outage").hasValue(1);
        assertThat(breaker.call(this::answering)).isEqualTo("PONG");
        assertThat(recoveries).hasValue(1);
    }

    @Test
    void shouldReopenForAnotherCoolDownWhenTheProbeFails() {
        failTimes(3);
        clock.addAndGet(Duration.ofSeconds(2).toNanos());
        failTimes(1);
        assertThat(breaker.state()).isEqualTo(RedisCircuitBreaker.State.OPEN);
        clock.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThatThrownBy(() -> breaker.call(this::answering)).isInstanceOf(RedisCircuitBreaker.OpenException.class);
        clock.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(breaker.call(this::answering)).isEqualTo("PONG");
        assertThat(breaker.isClosed()).isTrue();
    }

    @Test
    void shouldNotExtendTheCoolDownForACallThatWasAdmittedBeforeItOpened() {
        failTimes(2);
        assertThatThrownBy(() -> breaker.call(() -> {
                    failTimes(1); // opens meanwhile
                    clock.addAndGet(Duration.ofSeconds(1).toNanos());
                    return failing();
                }))
                .isInstanceOf(IllegalStateException.class);
        clock.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(breaker.call(this::answering))
                .as("the cool-down runs from the opening failure")
                .isEqualTo("PONG");
    }
}
