package dev.parley.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.schema.RedisKeys;
import dev.parley.testkit.CassandraNodeExtension;
import dev.parley.testkit.KafkaClusterExtension;
import dev.parley.testkit.RedisServerExtension;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.JedisPooled;

/**
 * Presence privacy and the offline rule on two real edges (real Kafka, Redis, Cassandra, topology):
 * presence is shown only to users who share a conversation (membership as the Cassandra sink writes
 * it), strangers get what a nonexistent user gets, and offline is announced only when no edge holds
 * a socket of the user.
 */
@ExtendWith({KafkaClusterExtension.class, RedisServerExtension.class, CassandraNodeExtension.class})
class PresenceIT {

    private static EdgeFixture fixture;
    private static EdgeMain.RunningEdge edge1;
    private static EdgeMain.RunningEdge edge2;
    private static JedisPooled redis;
    private static RedisKeys keys;

    @BeforeAll
    static void start() throws Exception {
        fixture = EdgeFixture.start();
        edge1 = fixture.edge(settings("presence-1-"));
        edge2 = fixture.edge(settings("presence-2-"));
        redis = new JedisPooled(RedisServerExtension.url());
        keys = new RedisKeys(fixture.redisPrefix);
    }

    private static Map<String, Object> settings(String name) {
        Map<String, Object> s =
                fixture.settings(name + UUID.randomUUID().toString().substring(0, 6));
        s.put(EdgeSettings.PRESENCE_SHARED_CACHE_MS, 0L); // membership changes count at once in this test
        return s;
    }

    @AfterAll
    static void stop() {
        if (redis != null) {
            redis.close();
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    private static String name(String base) {
        return base + UUID.randomUUID().toString().substring(0, 8);
    }

    private static String group() {
        return "g_presence_" + UUID.randomUUID().toString().replace("-", "");
    }

    private static void subscribe(TestClient watcher, String... users) {
        watcher.send("{\"type\":\"presence.subscribe\",\"users\":[\"" + String.join("\",\"", users) + "\"]}");
    }

    private static JsonNode presenceOf(TestClient watcher, Set<String> users) throws InterruptedException {
        return watcher.await(f -> "presence".equals(f.path("type").asText())
                && users.contains(f.path("user").asText()));
    }

    private static void waitFor(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    @Test
    void shouldShowPresenceOnlyToThoseWhoShareAConversationAndAnswerStrangersAsNobody() throws Exception {
        try (TestClient alice = TestClient.register(edge1.port(), name("alice")).connect(edge1.port());
                TestClient carol = TestClient.register(edge1.port(), name("carol"));
                TestClient mallory =
                        TestClient.register(edge2.port(), name("mallory")).connect(edge2.port())) {
            String nobody = "u_nobody" + UUID.randomUUID().toString().replace("-", "");
            subscribe(mallory, alice.userId);
            ObjectNode stranger =
                    (ObjectNode) presenceOf(mallory, Set.of(alice.userId)).deepCopy();
            subscribe(mallory, nobody);
            ObjectNode missing =
                    (ObjectNode) presenceOf(mallory, Set.of(nobody)).deepCopy();
            stranger.remove("user");
            missing.remove("user");
            assertThat(stranger).as("a stranger online reads as nobody").isEqualTo(missing);
            assertThat(stranger.path("status").asText()).isEqualTo("offline");
            assertThat(stranger.has("last_seen")).isFalse();
            TestClient.Response strangerHttp =
                    mallory.http(edge2.port(), "GET", "/v1/users/" + alice.userId + "/presence", null);
            TestClient.Response missingHttp =
                    mallory.http(edge2.port(), "GET", "/v1/users/" + nobody + "/presence", null);
            assertThat(strangerHttp.status()).isEqualTo(404);
            assertThat(strangerHttp.body()).isEqualTo(missingHttp.body());
            assertThat(missingHttp.status()).isEqualTo(404);

            String shared = group();
            fixture.seedMembers(shared, alice.userId, mallory.userId);
            fixture.seedMembers(group(), carol.userId, mallory.userId);
            subscribe(mallory, alice.userId, carol.userId);
            assertThat(presenceOf(mallory, Set.of(alice.userId)).path("status").asText())
                    .isEqualTo("online");
            assertThat(presenceOf(mallory, Set.of(carol.userId)).path("status").asText())
                    .isEqualTo("offline");
            TestClient.Response member =
                    mallory.http(edge2.port(), "GET", "/v1/users/" + alice.userId + "/presence", null);
            assertThat(member.status()).isEqualTo(200);
            assertThat(member.body().path("status").asText()).isEqualTo("online");

            // removed from the only shared group: the subscription made before shows nothing more
            fixture.removeMember(shared, mallory.userId);
            assertThat(mallory.http(edge2.port(), "GET", "/v1/users/" + alice.userId + "/presence", null)
                            .status())
                    .isEqualTo(404);
            alice.closeSocket();
            waitFor("alice's last seen", () -> redis.exists(keys.lastSeen(alice.userId)));
            carol.connect(edge1.port()); // a change mallory may see, published after alice's offline
            JsonNode next = presenceOf(mallory, Set.of(alice.userId, carol.userId));
            assertThat(next.path("user").asText()).as(next.toString()).isEqualTo(carol.userId);
        }
    }

    @Test
    void shouldAnnounceOfflineOnlyWhenNoEdgeHoldsASocketOfTheUser() throws Exception {
        try (TestClient alice = TestClient.register(edge1.port(), name("alice")).connect(edge1.port());
                TestClient aliceOnEdge2 = alice.secondDevice(edge2.port());
                TestClient carol = TestClient.register(edge1.port(), name("carol"));
                TestClient bob = TestClient.register(edge2.port(), name("bob")).connect(edge2.port())) {
            fixture.seedMembers(group(), alice.userId, bob.userId);
            fixture.seedMembers(group(), carol.userId, bob.userId);
            waitFor("alice's two sessions", () -> redis.hlen(keys.sessions(alice.userId)) == 2);
            subscribe(bob, alice.userId, carol.userId);
            assertThat(presenceOf(bob, Set.of(alice.userId)).path("status").asText())
                    .isEqualTo("online");
            assertThat(presenceOf(bob, Set.of(carol.userId)).path("status").asText())
                    .isEqualTo("offline");

            alice.closeSocket(); // her last socket on edge 1; edge 2 still holds one
            waitFor("edge 1 to drop alice's session", () -> redis.hlen(keys.sessions(alice.userId)) == 1);
            carol.connect(edge1.port()); // a change bob sees, published after any offline alice's close caused
            JsonNode next = presenceOf(bob, Set.of(alice.userId, carol.userId));
            assertThat(next.path("user").asText()).as(next.toString()).isEqualTo(carol.userId);

            aliceOnEdge2.closeSocket();
            JsonNode offline = presenceOf(bob, Set.of(alice.userId));
            assertThat(offline.path("status").asText()).isEqualTo("offline");
            assertThat(offline.path("last_seen").asLong()).isPositive();
        }
    }
}
