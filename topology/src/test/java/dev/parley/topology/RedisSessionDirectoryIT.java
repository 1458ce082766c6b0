package dev.parley.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.schema.RedisCircuitBreaker;
import dev.parley.schema.RedisKeys;
import dev.parley.testkit.FreePorts;
import dev.parley.testkit.RedisFaultProxy;
import dev.parley.testkit.RedisServerExtension;
import dev.parley.topology.routing.RedisSessionDirectory;
import dev.parley.topology.routing.SessionDirectory;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisPooled;

@ExtendWith(RedisServerExtension.class)
class RedisSessionDirectoryIT {

    private final RedisKeys keys = new RedisKeys(RedisServerExtension.newKeyPrefix());
    private final JedisPooled redis = new JedisPooled("127.0.0.1", RedisServerExtension.port());
    private final RedisSessionDirectory directory =
            new RedisSessionDirectory(new JedisPooled("127.0.0.1", RedisServerExtension.port()), keys);

    @AfterEach
    void close() {
        directory.close();
        redis.close();
    }

    private void connect(String user, String connection, String edge) {
        redis.hset(keys.sessions(user), connection, edge);
        redis.expire(keys.sessions(user), RedisKeys.SESSION_TTL.toSeconds());
    }

    private void heartbeat(String edge) {
        redis.setex(keys.edgeHeartbeat(edge), RedisKeys.EDGE_HEARTBEAT_TTL.toSeconds(), "1");
    }

    @Test
    void shouldGroupUsersByTheLiveEdgesTheyAreConnectedTo() {
        heartbeat("e1");
        heartbeat("e2");
        connect("alice", "c1", "e1");
        connect("alice", "c2", "e2"); // a second device on another edge
        connect("bob", "c3", "e2");

        Map<String, Set<String>> located = directory.locate(List.of("alice", "bob", "carol"));

        assertThat(located).containsOnlyKeys("e1", "e2");
        assertThat(located.get("e1")).containsExactly("alice");
        assertThat(located.get("e2")).containsExactlyInAnyOrder("alice", "bob");
    }

    @Test
    void shouldIgnoreSessionsOnEdgesWhoseHeartbeatExpired() {
        heartbeat("alive");
        connect("alice", "c1", "alive");
        connect("bob", "c2", "crashed"); // no heartbeat: the edge died without cleaning up

        Map<String, Set<String>> located = directory.locate(List.of("alice", "bob"));

        assertThat(located).containsOnlyKeys("alive");
    }

    @Test
    void shouldLocateAThousandUsersInPipelinedRoundTrips() {
        List<String> users = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            heartbeat("edge" + (i % 10));
            connect("u" + i, "c" + i, "edge" + (i % 10));
            users.add("u" + i);
        }
        Map<String, Set<String>> located = directory.locate(users);
        assertThat(located).hasSize(10);
        assertThat(located.values().stream().mapToInt(Set::size).sum()).isEqualTo(1000);
    }

    @Test
    void shouldSayUnavailableWhenRedisIsUnreachable() {
        int nobodyListens = FreePorts.next();
        try (RedisSessionDirectory unreachable = new RedisSessionDirectory(
                new JedisPooled(
                        new HostAndPort("127.0.0.1", nobodyListens),
                        DefaultJedisClientConfig.builder()
                                .connectionTimeoutMillis(200)
                                .socketTimeoutMillis(200)
                                .build()),
                keys)) {
            assertThatThrownBy(() -> unreachable.locate(List.of("alice", "bob")))
                    .isInstanceOf(SessionDirectory.UnavailableException.class);
            assertThat(unreachable.knownLiveEdges()).as("never read").isEmpty();
        }
    }

    private void edgeBeats(String edge) {
        heartbeat(edge);
        redis.zadd(keys.edges(), System.currentTimeMillis(), edge);
    }

    @Test
    void shouldRememberTheLiveEdgesAndFailFastWhileRedisHangs() {
        edgeBeats("e1");
        edgeBeats("e2");
        redis.zadd(keys.edges(), System.currentTimeMillis(), "e-dead"); // listed, heartbeat expired
        connect("gil", "c1", "e1");
        ConnectionPoolConfig pool = new ConnectionPoolConfig();
        // generous: this machine is shared and a slow first answer must not count as the hang
        pool.setMaxWait(Duration.ofSeconds(1));
        try (RedisFaultProxy proxy = RedisFaultProxy.toTestRedis();
                RedisSessionDirectory hanging = new RedisSessionDirectory(
                        new JedisPooled(pool, URI.create(proxy.url()), 1000, 1000),
                        new RedisCircuitBreaker("test", 3, Duration.ofMinutes(1), System::nanoTime),
                        keys)) {
            assertThat(hanging.locate(List.of("gil"))).containsOnlyKeys("e1");
            assertThat(hanging.knownLiveEdges()).containsExactlyInAnyOrder("e1", "e2");

            proxy.hang();
            int before = proxy.accepted();
            for (int i = 0; i < 50; i++) {
                int n = i;
                assertThatThrownBy(() -> hanging.locate(List.of("user" + n)))
                        .isInstanceOf(SessionDirectory.UnavailableException.class);
            }
            assertThat(proxy.accepted() - before)
                    .as("after the breaker opened no lookup went to the hung Redis")
                    .isLessThanOrEqualTo(3);
            assertThat(hanging.knownLiveEdges())
                    .as("the last known live edges, for delivery to all of them")
                    .containsExactlyInAnyOrder("e1", "e2");
        }
    }

    private void awaitCaching() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!directory.caching() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(directory.caching())
                .as("subscribed to session invalidations")
                .isTrue();
    }

    @Test
    void shouldServeRepeatLookupsFromTheCacheUntilAnEdgePublishesAChange() throws Exception {
        awaitCaching();
        heartbeat("e1");
        heartbeat("e2");
        connect("dora", "c1", "e1");
        assertThat(directory.locate(List.of("dora"))).containsOnlyKeys("e1");

        // a change nobody announced is not seen: the answer comes from the cache
        redis.del(keys.sessions("dora"));
        assertThat(directory.locate(List.of("dora"))).containsOnlyKeys("e1");

        // an edge's announcement (what SessionStore publishes) makes the next lookup read Redis
        connect("dora", "c2", "e2");
        redis.publish(keys.sessionsChanged(), "dora");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        Map<String, Set<String>> located = directory.locate(List.of("dora"));
        while (!located.containsKey("e2") && System.nanoTime() < deadline) {
            Thread.sleep(5);
            located = directory.locate(List.of("dora"));
        }
        assertThat(located).containsOnlyKeys("e2");
    }

    @Test
    void shouldReadAgainOnceACachedEntryIsOlderThanTheTtl() throws Exception {
        AtomicLong clock = new AtomicLong(1_000_000_000L);
        try (RedisSessionDirectory timed = new RedisSessionDirectory(
                new JedisPooled("127.0.0.1", RedisServerExtension.port()),
                new RedisCircuitBreaker("test", 3, Duration.ofSeconds(1), clock::get),
                keys,
                clock::get)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!timed.caching() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            heartbeat("e1");
            connect("ed", "c1", "e1");
            assertThat(timed.locate(List.of("ed"))).containsOnlyKeys("e1");
            redis.del(keys.sessions("ed")); // lost announcement
            assertThat(timed.locate(List.of("ed"))).containsOnlyKeys("e1");
            clock.addAndGet(Duration.ofSeconds(11).toNanos());
            assertThat(timed.locate(List.of("ed"))).as("past the 10 s TTL").isEmpty();
        }
    }
}
