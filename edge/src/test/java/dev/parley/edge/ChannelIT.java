package dev.parley.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.testkit.CassandraNodeExtension;
import dev.parley.testkit.KafkaClusterExtension;
import dev.parley.testkit.RedisServerExtension;
import java.time.Duration;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Channels (DESIGN 7.5) on two real edges with the real topology: a post reaches the members online
 * on either edge through one delivery per edge (fan-out on read), a non-member on the same edge gets
 * nothing, and leaving stops delivery.
 */
@ExtendWith({KafkaClusterExtension.class, RedisServerExtension.class, CassandraNodeExtension.class})
class ChannelIT {

    private static EdgeFixture fixture;
    private static EdgeMain.RunningEdge edge1;
    private static EdgeMain.RunningEdge edge2;

    @BeforeAll
    static void start() throws Exception {
        fixture = EdgeFixture.start();
        edge1 = fixture.edge(
                fixture.settings("channels-1-" + UUID.randomUUID().toString().substring(0, 6)));
        edge2 = fixture.edge(
                fixture.settings("channels-2-" + UUID.randomUUID().toString().substring(0, 6)));
    }

    @AfterAll
    static void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    private static String name(String base) {
        return base + UUID.randomUUID().toString().substring(0, 8);
    }

    private static Predicate<JsonNode> message(String body) {
        return f -> "message".equals(f.path("type").asText())
                && body.equals(f.path("body").asText());
    }

    private static String channel(TestClient owner, String visibility, String posting) throws Exception {
        TestClient.Response created = owner.http(
                edge1.port(),
                "POST",
                "/v1/conversations",
                "{\"type\":\"channel\",\"name\":\"news\",\"visibility\":\"" + visibility + "\",\"posting\":\"" + posting
                        + "\"}");
        assertThat(created.status()).as(String.valueOf(created.body())).isEqualTo(201);
        assertThat(created.body().path("type").asText()).isEqualTo("channel");
        assertThat(created.body().path("visibility").asText()).isEqualTo(visibility);
        assertThat(created.body().path("posting").asText()).isEqualTo(posting);
        return created.body().path("conversation_id").asText();
    }

    private static TestClient.Response post(TestClient sender, String channel, String id, String body)
            throws Exception {
        return sender.http(
                edge1.port(),
                "POST",
                "/v1/conversations/" + channel + "/messages",
                "{\"id\":\"" + id + "\",\"body\":\"" + body + "\"}");
    }

    /**
     * Posts until every client has a message: an edge's interest reaches the topology asynchronously
     * after the join it learnt of, so the first posts may find an edge not registered yet.
     */
    private static void postUntilReached(TestClient owner, String channel, TestClient... clients) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        for (int i = 0; ; i++) {
            assertThat(post(owner, channel, "warm-" + i, "warm-up " + i).status())
                    .isEqualTo(200);
            long until = System.nanoTime() + Duration.ofMillis(500).toNanos();
            while (System.nanoTime() < until) {
                boolean all = true;
                for (TestClient c : clients) {
                    all &= c.count(f -> "message".equals(f.path("type").asText())) > 0;
                }
                if (all) {
                    return;
                }
                Thread.sleep(20);
            }
            assertThat(System.nanoTime()).as("every member reached").isLessThan(deadline);
        }
    }

    @Test
    void shouldDeliverAPostToMembersOnBothEdgesAndNothingToOthersUntilTheyLeave() throws Exception {
        try (TestClient owner = TestClient.register(edge1.port(), name("owner")).connect(edge1.port());
                TestClient carol =
                        TestClient.register(edge1.port(), name("carol")).connect(edge1.port());
                TestClient bob = TestClient.register(edge2.port(), name("bob")).connect(edge2.port());
                TestClient dave =
                        TestClient.register(edge2.port(), name("dave")).connect(edge2.port());
                TestClient mallory =
                        TestClient.register(edge2.port(), name("mallory")).connect(edge2.port())) {
            String channel = channel(owner, "public", "members");
            assertThat(channel).startsWith("c_");
            for (TestClient member : new TestClient[] {bob, dave}) {
                assertThat(member.http(edge2.port(), "POST", "/v1/conversations/" + channel + "/join", null)
                                .status())
                        .isEqualTo(200);
            }
            assertThat(carol.http(edge1.port(), "POST", "/v1/conversations/" + channel + "/join", null)
                            .status())
                    .isEqualTo(200);
            postUntilReached(owner, channel, carol, bob, dave);

            assertThat(post(owner, channel, "p1", "hello channel").status()).isEqualTo(200);
            for (TestClient member : new TestClient[] {carol, bob, dave}) {
                JsonNode frame = member.await(message("hello channel"));
                assertThat(frame.path("conversation_id").asText()).isEqualTo(channel);
                assertThat(frame.path("sender").asText()).isEqualTo(owner.userId);
            }
            assertThat(mallory.count(f -> "message".equals(f.path("type").asText())))
                    .as("a non-member on an edge with members gets nothing")
                    .isZero();
            TestClient.Response stranger = mallory.http(
                    edge2.port(),
                    "POST",
                    "/v1/conversations/" + channel + "/messages",
                    "{\"id\":\"x1\",\"body\":\"let me in\"}");
            assertThat(stranger.status()).isEqualTo(403);
            assertThat(stranger.body().path("code").asText()).isEqualTo("not_member");

            assertThat(bob.http(edge2.port(), "POST", "/v1/conversations/" + channel + "/leave", null)
                            .status())
                    .isEqualTo(200);
            assertThat(post(owner, channel, "p2", "after bob left").status()).isEqualTo(200);
            dave.await(message("after bob left")); // the same delivery record of edge2 as bob's would be
            carol.await(message("after bob left"));
            assertThat(bob.count(message("after bob left")))
                    .as("leaving stops delivery")
                    .isZero();
            assertThat(mallory.count(f -> "message".equals(f.path("type").asText())))
                    .isZero();
        }
    }

    @Test
    void shouldRefuseJoiningAPrivateChannelAndPostingWithoutTheRight() throws Exception {
        try (TestClient owner = TestClient.register(edge1.port(), name("owner"));
                TestClient bob = TestClient.register(edge2.port(), name("bob"))) {
            String closed = channel(owner, "private", "members");
            TestClient.Response join = bob.http(edge2.port(), "POST", "/v1/conversations/" + closed + "/join", null);
            assertThat(join.status()).isEqualTo(403);
            assertThat(join.body().path("code").asText()).isEqualTo("forbidden");
            TestClient.Response invite = owner.http(
                    edge1.port(),
                    "POST",
                    "/v1/conversations/" + closed + "/members",
                    "{\"members\":[\"" + bob.userId + "\"]}");
            assertThat(invite.status()).isEqualTo(200);
            assertThat(post(bob, closed, "b1", "invited").status()).isEqualTo(200);

            String announcements = channel(owner, "public", "admins");
            assertThat(bob.http(edge2.port(), "POST", "/v1/conversations/" + announcements + "/join", null)
                            .status())
                    .isEqualTo(200);
            TestClient.Response refused = post(bob, announcements, "b2", "may I?");
            assertThat(refused.status()).isEqualTo(403);
            assertThat(refused.body().path("code").asText()).isEqualTo("forbidden");
            TestClient.Response noName = owner.http(
                    edge1.port(), "POST", "/v1/conversations", "{\"type\":\"channel\",\"visibility\":\"secret\"}");
            assertThat(noName.status()).isEqualTo(400);
            assertThat(noName.body().path("code").asText()).isEqualTo("bad_request");
            TestClient.Response missing = bob.http(edge2.port(), "POST", "/v1/conversations/c_nothing/join", null);
            assertThat(missing.status()).isEqualTo(404);
        }
    }
}
