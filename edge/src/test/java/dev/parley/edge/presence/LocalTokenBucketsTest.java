package dev.parley.edge.presence;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LocalTokenBucketsTest {

    @Test
    void shouldAllowTheBurstThenRefillAtTheRate() {
        LocalTokenBuckets buckets = new LocalTokenBuckets(5, 3, 100);
        assertThat(takes(buckets, "alice", 5, 0)).isEqualTo(3);
        assertThat(takes(buckets, "alice", 2, 200)).as("one token per 200 ms").isEqualTo(1);
        assertThat(takes(buckets, "bob", 1, 200)).isEqualTo(1);
    }

    @Test
    void shouldThrottleTypingToOnePerSecondAsTheRedisKeyDoes() {
        LocalTokenBuckets typing = new LocalTokenBuckets(1.0, 1, 100);
        assertThat(typing.tryAcquire("alice|c1", 0)).isTrue();
        assertThat(typing.tryAcquire("alice|c1", 999)).isFalse();
        assertThat(typing.tryAcquire("alice|c2", 999))
                .as("another conversation")
                .isTrue();
        assertThat(typing.tryAcquire("alice|c1", 1000)).isTrue();
    }

    @Test
    void shouldKeepAtMostMaxEntriesForgettingTheLeastRecentlyUsed() {
        LocalTokenBuckets buckets = new LocalTokenBuckets(1, 1, 3);
        for (String user : new String[] {"a", "b", "c"}) {
            assertThat(buckets.tryAcquire(user, 0)).isTrue();
        }
        assertThat(buckets.tryAcquire("a", 1))
                .as("a is now the most recently used")
                .isFalse();
        assertThat(buckets.tryAcquire("d", 1)).isTrue();
        assertThat(buckets.size()).isEqualTo(3);
        assertThat(buckets.tryAcquire("a", 2))
                .as("still limited: b was forgotten, not a")
                .isFalse();
        assertThat(buckets.tryAcquire("b", 2)).as("forgotten means full again").isTrue();
    }

    @Test
    void shouldDropBucketsIdleLongEnoughToBeFullAgain() {
        LocalTokenBuckets buckets = new LocalTokenBuckets(10, 2, 1000);
        for (int i = 0; i < 100; i++) {
            buckets.tryAcquire("user" + i, 0);
        }
        buckets.tryAcquire("late", 200); // 2 tokens at 10/s: full after 200 ms
        assertThat(buckets.size()).isEqualTo(1);
    }

    private static int takes(LocalTokenBuckets buckets, String key, int attempts, long now) {
        int taken = 0;
        for (int i = 0; i < attempts; i++) {
            if (buckets.tryAcquire(key, now)) {
                taken++;
            }
        }
        return taken;
    }
}
