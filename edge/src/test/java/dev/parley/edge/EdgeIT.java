package dev.parley.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.testkit.CassandraNodeExtension;
import dev.parley.testkit.KafkaClusterExtension;
import dev.parley.testkit.RedisServerExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocketHandshakeException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two real edges, the real topology, real Kafka, Redis and Cassandra, and real WebSocket clients:
 * protocol v1 as a client sees it.
 */
@ExtendWith({KafkaClusterExtension.class, RedisServerExtension.class, CassandraNodeExtension.class})
class EdgeIT {

    private static EdgeFixture fixture;
    private static EdgeMain.RunningEdge edge1;
    private static EdgeMain.RunningEdge edge2;
    private static String keyspace;
    private static String redisPrefix;
    private static String applicationId;

    @BeforeAll
    static void start() throws Exception {
        fixture = EdgeFixture.start();
        redisPrefix = fixture.redisPrefix;
        applicationId = fixture.applicationId;
        keyspace = fixture.keyspace;
        edge1 = EdgeMain.start(edgeSettings(
                "it-edge-1-" + UUID.randomUUID().toString().substring(0, 6),
                fixture.bootstrap,
                redisPrefix,
                keyspace,
                applicationId));
        edge2 = EdgeMain.start(edgeSettings(
                "it-edge-2-" + UUID.randomUUID().toString().substring(0, 6),
                fixture.bootstrap,
                redisPrefix,
                keyspace,
                applicationId));
    }

    /** The fixture's settings (the other parameters are its own) with this class's limits. */
    private static EdgeSettings edgeSettings(
            String edgeId, String bootstrap, String prefix, String keyspace, String applicationId) {
        Map<String, Object> s = fixture.settings(edgeId);
        s.put(EdgeSettings.MAX_BODY_BYTES, 1000);
        s.put(EdgeSettings.MAX_FRAME_BYTES, 4096);
        s.put(EdgeSettings.REGISTRATIONS_PER_ADDRESS, 10_000); // every test user registers from 127.0.0.1
        return new EdgeSettings(s);
    }

    @AfterAll
    static void stop() {
        if (edge1 != null) {
            edge1.close();
        }
        if (edge2 != null) {
            edge2.close();
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    private static String name(String base) {
        return base + UUID.randomUUID().toString().substring(0, 8);
    }

    private static String direct(TestClient from, TestClient to) throws Exception {
        TestClient.Response created = from.http(
                edge1.port(), "POST", "/v1/conversations", "{\"type\":\"direct\",\"members\":[\"" + to.userId + "\"]}");
        assertThat(created.status()).as(created.toString()).isIn(200, 201);
        return created.body().get("conversation_id").asText();
    }

    private static String send(String conversation, String id, String body) {
        return "{\"type\":\"send\",\"id\":\"" + id + "\",\"conversation_id\":\"" + conversation + "\",\"body\":\""
                + body + "\"}";
    }

    @Test
    void shouldExchangeDirectMessagesAcrossEdgesAndNeverDuplicateARetry() throws Exception {
        try (TestClient alice = TestClient.register(edge1.port(), name("alice")).connect(edge1.port());
                TestClient bob = TestClient.register(edge2.port(), name("bob")).connect(edge2.port())) {
            String conv = direct(alice, bob);
            // the same conversation from the other side
            assertThat(direct(bob, alice)).isEqualTo(conv);

            alice.send(send(conv, "m1", "hello bob"));
            JsonNode sent = alice.awaitType("sent", "m1");
            assertThat(sent.get("seq").asLong()).isEqualTo(1);
            JsonNode message = bob.awaitType("message", null);
            assertThat(message.get("body").asText()).isEqualTo("hello bob");
            assertThat(message.get("sender").asText()).isEqualTo(alice.userId);
            assertThat(message.get("seq").asLong()).isEqualTo(1);
            assertThat(message.get("message_id").asText())
                    .isEqualTo(sent.get("message_id").asText());

            alice.send(send(conv, "m1", "hello bob"));
            JsonNode retry = alice.awaitType("sent", "m1");
            assertThat(retry.get("seq").asLong()).isEqualTo(1);
            assertThat(retry.get("duplicate").asBoolean()).isTrue();

            alice.send(send(conv, "m2", "second"));
            assertThat(bob.awaitType("message", null).get("seq").asLong())
                    .as("the retry was not delivered again")
                    .isEqualTo(2);
        }
    }

    @Test
    void shouldDeliverGroupMessagesToEveryMemberOnEveryEdge() throws Exception {
        try (TestClient alice = TestClient.register(edge1.port(), name("alice")).connect(edge1.port());
                TestClient bob = TestClient.register(edge2.port(), name("bob")).connect(edge2.port());
                TestClient carol =
                        TestClient.register(edge1.port(), name("carol")).connect(edge1.port())) {
            TestClient.Response group = alice.createGroup(edge1.port(), "team", bob.userId, carol.userId);
            assertThat(group.status()).isEqualTo(201);
            String conv = group.body().get("conversation_id").asText();
            assertThat(group.body().get("admins").get(0).asText()).isEqualTo(alice.userId);

            bob.send(send(conv, "g1", "hi team"));
            assertThat(bob.awaitType("sent", "g1").get("seq").asLong()).isEqualTo(1);
            assertThat(alice.awaitType("message", null).get("body").asText()).isEqualTo("hi team");
            assertThat(carol.awaitType("message", null).get("body").asText()).isEqualTo("hi team");

            TestClient.Response http = carol.http(
                    edge1.port(),
                    "POST",
                    "/v1/conversations/" + conv + "/messages",
                    "{\"id\":\"h1\",\"body\":\"over http\"}");
            assertThat(http.status()).isEqualTo(200);
            assertThat(http.body().get("seq").asLong()).isEqualTo(2);
            assertThat(bob.awaitType("message", null).get("body").asText()).isEqualTo("over http");
        }
    }

    @Test
    void shouldAnswerBadInputWithErrorFramesAndKeepTheSocketOpen() throws Exception {
        try (TestClient alice = TestClient.register(edge1.port(), name("alice")).connect(edge1.port());
                TestClient bob = TestClient.register(edge1.port(), name("bob"));
                TestClient mallory =
                        TestClient.register(edge1.port(), name("mallory")).connect(edge1.port())) {
            String conv = direct(alice, bob);

            alice.send("{not json");
            assertThat(alice.awaitType("error", null).get("code").asText()).isEqualTo("bad_request");
            alice.send("{\"type\":\"teleport\",\"id\":\"x1\"}");
            assertThat(alice.awaitType("error", "x1").get("code").asText()).isEqualTo("bad_request");
            alice.send("{\"type\":\"send\",\"id\":\"x2\",\"body\":\"no conversation\"}");
            assertThat(alice.awaitType("error", "x2").get("message").asText()).contains("conversation_id");
            alice.send("{\"type\":\"read\",\"id\":\"x3\",\"conversation_id\":\"" + conv + "\",\"seq\":\"one\"}");
            assertThat(alice.awaitType("error", "x3").get("code").asText()).isEqualTo("bad_request");
            alice.send(send(conv, "x4", "x".repeat(1001)));
            assertThat(alice.awaitType("error", "x4").get("code").asText()).isEqualTo("too_large");

            mallory.send(send(conv, "x6", "let me in"));
            JsonNode notMember = mallory.awaitType("error", "x6");
            assertThat(notMember.get("code").asText()).isEqualTo("not_member");

            alice.send("{\"type\":\"ping\",\"id\":\"p1\"}");
            assertThat(alice.awaitType("pong", "p1")).isNotNull();
            alice.send(send(conv, "ok1", "still here"));
            assertThat(alice.awaitType("sent", "ok1").get("seq").asLong()).isEqualTo(1);
        }
    }

    @Test
    void shouldRefuseMissingBadOrForgedTokens() throws Exception {
        TestClient.Response noToken = TestClient.http(edge1.port(), "POST", "/v1/conversations", null, "{}");
        assertThat(noToken.status()).isEqualTo(401);
        assertThat(noToken.body().get("code").asText()).isEqualTo("unauthorized");
        TestClient.Response forged = TestClient.http(edge1.port(), "POST", "/v1/conversations", "a.b.c", "{}");
        assertThat(forged.status()).isEqualTo(401);

        String user = name("dave");
        TestClient.register(edge1.port(), user);
        TestClient.Response wrongPassword = TestClient.http(
                edge1.port(),
                "POST",
                "/v1/tokens",
                null,
                "{\"username\":\"" + user + "\",\"password\":\"wrong password\"}");
        assertThat(wrongPassword.status()).isEqualTo(401);
        TestClient.Response taken = TestClient.http(
                edge1.port(),
                "POST",
                "/v1/users",
                null,
                "{\"username\":\"" + user + "\",\"password\":\"another one\"}");
        assertThat(taken.status()).isEqualTo(409);

        assertThatThrownBy(() -> HttpClient.newHttpClient()
                        .newWebSocketBuilder()
                        .buildAsync(
                                URI.create("ws://127.0.0.1:" + edge1.port() + "/v1/ws"),
                                new java.net.http.WebSocket.Listener() {})
                        .join())
                .isInstanceOf(CompletionException.class)
                .cause()
                .isInstanceOf(WebSocketHandshakeException.class)
                .satisfies(e -> assertThat(
                                ((WebSocketHandshakeException) e).getResponse().statusCode())
                        .isEqualTo(401));
    }

    @Test
    void shouldReportPresenceOnlineThenOfflineWithLastSeen() throws Exception {
        try (TestClient alice = TestClient.register(edge1.port(), name("alice"));
                TestClient bob = TestClient.register(edge2.port(), name("bob")).connect(edge2.port())) {
            fixture.seedMembers("g_presence_" + UUID.randomUUID(), alice.userId, bob.userId); // presence needs one
            bob.send("{\"type\":\"presence.subscribe\",\"users\":[\"" + alice.userId + "\"]}");
            assertThat(bob.await(f -> "presence".equals(f.path("type").asText()))
                            .get("status")
                            .asText())
                    .isEqualTo("offline");

            alice.connect(edge1.port());
            assertThat(bob.await(f -> "presence".equals(f.path("type").asText()))
                            .get("status")
                            .asText())
                    .isEqualTo("online");
            TestClient.Response online = bob.http(edge2.port(), "GET", "/v1/users/" + alice.userId + "/presence", null);
            assertThat(online.body().get("status").asText()).isEqualTo("online");

            alice.closeSocket();
            JsonNode offline = bob.await(f -> "presence".equals(f.path("type").asText()));
            assertThat(offline.get("status").asText()).isEqualTo("offline");
            TestClient.Response after = bob.http(edge2.port(), "GET", "/v1/users/" + alice.userId + "/presence", null);
            assertThat(after.body().get("status").asText()).isEqualTo("offline");
            assertThat(after.body().get("last_seen").asLong()).isPositive();
        }
    }

    private static java.util.List<Long> seqs(JsonNode page) {
        java.util.List<Long> out = new java.util.ArrayList<>();
        page.get("messages").forEach(m -> out.add(m.get("seq").asLong()));
        return out;
    }

    @Test
    void shouldPageHistoryAcrossBucketsSoAnOfflineClientCatchesUpCompletely() throws Exception {
        try (TestClient alice = TestClient.register(edge1.port(), name("alice"));
                TestClient eve = TestClient.register(edge1.port(), name("eve"))) {
            String conv =
                    "g_history_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
            fixture.seedHistory(conv, alice.userId, 5000, 4990);
            String path = "/v1/conversations/" + conv + "/messages";

            JsonNode boundary = alice.http(edge1.port(), "GET", path + "?after=998&limit=3", null)
                    .body();
            assertThat(seqs(boundary)).containsExactly(999L, 1000L, 1001L);
            assertThat(boundary.get("next").asLong()).isEqualTo(1001);
            JsonNode backwards = alice.http(edge1.port(), "GET", path + "?before=1002&limit=3", null)
                    .body();
            assertThat(seqs(backwards)).containsExactly(999L, 1000L, 1001L);
            JsonNode latest =
                    alice.http(edge1.port(), "GET", path + "?limit=2", null).body();
            assertThat(seqs(latest)).containsExactly(4999L, 5000L);
            assertThat(latest.get("messages").get(1).get("body").asText()).isEqualTo("m5000");
            // a limit above 200 is served as 200, up to 2^53, the largest number a parameter takes
            for (String limit : java.util.List.of("201", "9007199254740992")) {
                JsonNode clamped = alice.http(edge1.port(), "GET", path + "?after=0&limit=" + limit, null)
                        .body();
                assertThat(seqs(clamped))
                        .as("limit=" + limit)
                        .hasSize(200)
                        .startsWith(1L)
                        .endsWith(200L);
                assertThat(clamped.get("next").asLong()).isEqualTo(200);
            }
            assertThat(alice.http(edge1.port(), "GET", path + "?limit=9007199254740993", null)
                            .status())
                    .as("2^53 + 1")
                    .isEqualTo(400);

            // a client offline for all 5,000 messages pages forward from its last seq
            java.util.List<Long> seen = new java.util.ArrayList<>();
            long after = 0;
            while (true) {
                JsonNode page = alice.http(edge1.port(), "GET", path + "?after=" + after + "&limit=200", null)
                        .body();
                seen.addAll(seqs(page));
                if (page.get("next").isNull()) {
                    break;
                }
                after = page.get("next").asLong();
            }
            assertThat(seen).hasSize(5000).doesNotHaveDuplicates().isSorted();
            assertThat(seen.get(0)).isEqualTo(1);
            assertThat(seen.get(4999)).isEqualTo(5000);

            TestClient.Response forbidden = eve.http(edge1.port(), "GET", path, null);
            assertThat(forbidden.status()).isEqualTo(403);
            assertThat(forbidden.body().get("code").asText()).isEqualTo("not_member");
            assertThat(alice.http(edge1.port(), "GET", path + "?after=x", null).status())
                    .isEqualTo(400);

            JsonNode mine =
                    alice.http(edge1.port(), "GET", "/v1/conversations", null).body();
            JsonNode summary = mine.get("conversations").get(0);
            assertThat(summary.get("conversation_id").asText()).isEqualTo(conv);
            assertThat(summary.get("last_seq").asLong()).isEqualTo(5000);
            assertThat(summary.get("unread").asLong()).isEqualTo(10);
        }
    }

    @Test
    void shouldPublishTheUsersDeviceSetOnEveryDeviceChange() throws Exception {
        try (TestClient bob = TestClient.register(edge1.port(), name("bob"))) {
            TestClient.Response bad = bob.http(edge1.port(), "POST", "/v1/devices", "{\"platform\":\"pager\"}");
            assertThat(bad.status()).isEqualTo(400);
            TestClient.Response phone = bob.http(
                    edge1.port(),
                    "POST",
                    "/v1/devices",
                    "{\"platform\":\"apns\",\"token\":\"abc123\",\"device_id\":\"phone\"}");
            assertThat(phone.status()).as(phone.toString()).isEqualTo(201);
            TestClient.Response settings = bob.http(
                    edge1.port(),
                    "PUT",
                    "/v1/notification-settings",
                    "{\"content_free\":true,\"time_zone\":\"Europe/Berlin\",\"quiet_start_minute\":1320,"
                            + "\"quiet_end_minute\":420}");
            assertThat(settings.status()).as(settings.toString()).isEqualTo(200);
            assertThat(bob.http(edge1.port(), "PUT", "/v1/notification-settings", "{\"time_zone\":\"Mars/Base\"}")
                            .status())
                    .isEqualTo(400);
            // a partial change: the fields given replace the stored ones (null clears), the rest stay
            TestClient.Response partial = bob.http(
                    edge1.port(),
                    "PUT",
                    "/v1/notification-settings",
                    "{\"muted\":[\"d_quiet\"],\"quiet_end_minute\":null}");
            assertThat(partial.status()).as(partial.toString()).isEqualTo(200);
            assertThat(bob.http(edge1.port(), "DELETE", "/v1/devices/phone", null)
                            .status())
                    .isEqualTo(200);

            java.util.List<dev.parley.schema.DeviceSet> published = new java.util.ArrayList<>();
            var serde = new dev.parley.schema.ParleySerdes().deviceSet();
            java.util.Properties p = new java.util.Properties();
            p.put("bootstrap.servers", KafkaClusterExtension.bootstrapServers());
            p.put("group.id", "devices-" + UUID.randomUUID());
            p.put("auto.offset.reset", "earliest");
            try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<String, byte[]>(
                    p,
                    new org.apache.kafka.common.serialization.StringDeserializer(),
                    new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
                consumer.subscribe(java.util.List.of(dev.parley.schema.Topics.DEVICES.name()));
                long deadline =
                        System.nanoTime() + java.time.Duration.ofSeconds(20).toNanos();
                while (published.size() < 4 && System.nanoTime() < deadline) {
                    for (var r : consumer.poll(java.time.Duration.ofMillis(200))) {
                        if (bob.userId.equals(r.key())) {
                            published.add(r.value() == null ? null : serde.deserialize(r.topic(), r.value()));
                        }
                    }
                }
            }
            assertThat(published).hasSize(4);
            assertThat(published.get(0).getDevices()).singleElement().satisfies(d -> {
                assertThat(d.getDeviceId()).isEqualTo("phone");
                assertThat(d.getToken()).isEqualTo("abc123");
            });
            assertThat(published.get(1).getContentFree()).isTrue();
            assertThat(published.get(1).getTimeZone()).isEqualTo("Europe/Berlin");
            assertThat(published.get(1).getQuietStartMinute()).isEqualTo(1320);
            assertThat(published.get(2).getMutedConversations()).containsExactly("d_quiet");
            assertThat(published.get(2).getTimeZone()).isEqualTo("Europe/Berlin");
            assertThat(published.get(2).getQuietStartMinute()).isEqualTo(1320);
            assertThat(published.get(2).getQuietEndMinute()).isNull();
            assertThat(published.get(2).getContentFree()).isTrue();
            assertThat(published.get(3)).as("no device left: a tombstone").isNull();
        }
    }

    /**
     * Typing goes through SignalTopology (at_least_once, per-edge signals topic): a member's reaches
     * the peer on the other edge, a stranger's is dropped. Both are in one partition of the commands
     * topic and of bob's signals topic, so had the stranger's been relayed it would arrive first.
     */
    @Test
    void shouldRelayTypingOfMembersOnlyAcrossEdges() throws Exception {
        try (TestClient alice = TestClient.register(edge1.port(), name("alice")).connect(edge1.port());
                TestClient bob = TestClient.register(edge2.port(), name("bob")).connect(edge2.port());
                TestClient mallory =
                        TestClient.register(edge1.port(), name("mallory")).connect(edge1.port())) {
            String conv = direct(alice, bob);
            mallory.send("{\"type\":\"typing\",\"conversation_id\":\"" + conv + "\",\"state\":\"start\"}");
            alice.send("{\"type\":\"typing\",\"conversation_id\":\"" + conv + "\",\"state\":\"start\"}");

            List<JsonNode> seen =
                    bob.awaitAllUntil(f -> "typing".equals(f.path("type").asText())
                            && alice.userId.equals(f.path("user").asText()));
            JsonNode typing = seen.get(seen.size() - 1);
            assertThat(typing.get("conversation_id").asText()).isEqualTo(conv);
            assertThat(typing.get("state").asText()).isEqualTo("start");
            assertThat(seen)
                    .as("a stranger's typing is dropped")
                    .noneMatch(f -> mallory.userId.equals(f.path("user").asText()));
            assertThat(mallory.count(f -> "typing".equals(f.path("type").asText())))
                    .isZero();
        }
    }

    @Test
    void shouldCoalesceAcksIntoReceiptsThrottleTypingAndRateLimitSends() throws Exception {
        try (TestClient alice = TestClient.register(edge1.port(), name("alice")).connect(edge1.port());
                TestClient bob = TestClient.register(edge2.port(), name("bob")).connect(edge2.port())) {
            String conv = direct(alice, bob);
            alice.send(send(conv, "r1", "please ack"));
            bob.awaitType("message", null);
            bob.send("{\"type\":\"ack\",\"conversation_id\":\"" + conv + "\",\"seq\":1}");
            JsonNode receipt = alice.await(f -> "receipt".equals(f.path("type").asText())
                    && bob.userId.equals(f.path("user").asText()));
            assertThat(receipt.get("delivered").asLong()).isEqualTo(1);
            assertThat(receipt.get("read").asLong()).isZero();

            for (int i = 0; i < 3; i++) {
                alice.send("{\"type\":\"typing\",\"conversation_id\":\"" + conv + "\",\"state\":\"start\"}");
            }
            bob.awaitType("typing", null);
            Thread.sleep(1500); // anything the throttle let through would have arrived by now
            assertThat(bob.count(f -> "typing".equals(f.path("type").asText())))
                    .as("one typing event per second")
                    .isZero();

            for (int i = 0; i < 60; i++) {
                alice.send(send(conv, "burst" + i, "burst " + i));
            }
            JsonNode limited = alice.await(f -> "error".equals(f.path("type").asText())
                    && "rate_limited".equals(f.path("code").asText()));
            assertThat(limited.get("id").asText()).startsWith("burst");
        }
    }

    @Test
    void shouldDropASocketThatStopsReadingInsteadOfQueueingWithoutBound() throws Exception {
        Map<String, Object> s = new HashMap<>(edgeSettings(
                        "it-slow-" + UUID.randomUUID().toString().substring(0, 6),
                        KafkaClusterExtension.bootstrapServers(),
                        redisPrefix,
                        keyspace,
                        applicationId)
                .originals());
        s.put(EdgeSettings.OUTBOUND_QUEUE, 64);
        s.put(EdgeSettings.RATE_PER_SECOND, 100_000.0);
        s.put(EdgeSettings.RATE_BURST, 100_000);
        s.put(EdgeSettings.MAX_BODY_BYTES, 65_536);
        s.put(EdgeSettings.MAX_FRAME_BYTES, 131_072);
        try (EdgeMain.RunningEdge fast = EdgeMain.start(new EdgeSettings(s));
                TestClient alice =
                        TestClient.register(fast.port(), name("alice")).connect(fast.port());
                TestClient sloth = TestClient.register(fast.port(), name("sloth"))) {
            String conv = direct(alice, sloth);
            fixture.seedMembers(conv, alice.userId, sloth.userId); // the sink's rows: presence is for members
            // a client that never asks for a frame: the JDK client then stops reading the socket
            HttpClient.newHttpClient()
                    .newWebSocketBuilder()
                    .header("Authorization", "Bearer " + sloth.token)
                    .buildAsync(
                            URI.create("ws://127.0.0.1:" + fast.port() + "/v1/ws"),
                            new java.net.http.WebSocket.Listener() {
                                @Override
                                public void onOpen(java.net.http.WebSocket webSocket) {}
                            })
                    .get(10, java.util.concurrent.TimeUnit.SECONDS);
            String big = "x".repeat(60_000);
            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
            int sent = 0;
            String metrics = "";
            while (System.nanoTime() < deadline) {
                for (int i = 0; i < 10; i++) {
                    alice.send(send(conv, "big" + sent++, big));
                }
                Thread.sleep(200);
                metrics = TestClient.http(
                                fast.port(), "GET", "/v1/users/" + sloth.userId + "/presence", alice.token, null)
                        .body()
                        .toString();
                if (metrics.contains("offline")) {
                    break;
                }
            }
            assertThat(metrics)
                    .as("the stuck socket was dropped after %d messages", sent)
                    .contains("offline");
            var scrape = HttpClient.newHttpClient()
                    .send(
                            java.net.http.HttpRequest.newBuilder(
                                            URI.create("http://127.0.0.1:" + fast.port() + "/metrics"))
                                    .build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(scrape.body()).contains("parley_edge_slow_consumers_closed_total 1.0");
        }
    }

    @Test
    void shouldCloseIdleSocketsAndLetEveryRedisKeyOfACrashedEdgeAgeOut() throws Exception {
        Map<String, Object> s = new HashMap<>(edgeSettings(
                        "it-idle-" + UUID.randomUUID().toString().substring(0, 6),
                        KafkaClusterExtension.bootstrapServers(),
                        redisPrefix,
                        keyspace,
                        applicationId)
                .originals());
        s.put(EdgeSettings.IDLE_TIMEOUT_MS, 1500L);
        try (EdgeMain.RunningEdge idle = EdgeMain.start(new EdgeSettings(s));
                TestClient quiet =
                        TestClient.register(idle.port(), name("quiet")).connect(idle.port());
                redis.clients.jedis.JedisPooled redis =
                        new redis.clients.jedis.JedisPooled("127.0.0.1", RedisServerExtension.port())) {
            dev.parley.schema.RedisKeys keys = new dev.parley.schema.RedisKeys(redisPrefix);
            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
            while (redis.hlen(keys.sessions(quiet.userId)) == 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            // every key an edge writes carries a TTL, so a crashed edge's sessions and heartbeat vanish
            assertThat(redis.ttl(keys.sessions(quiet.userId))).isBetween(1L, 90L);
            assertThat(redis.ttl(keys.edgeHeartbeat(s.get(EdgeSettings.EDGE_ID).toString())))
                    .isBetween(1L, 30L);

            // the client says nothing, not even ping: after 1.5 s the edge closes it and it goes offline
            while (redis.hlen(keys.sessions(quiet.userId)) > 0 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(redis.hlen(keys.sessions(quiet.userId)))
                    .as("session removed after idle close")
                    .isZero();
            assertThat(redis.get(keys.lastSeen(quiet.userId))).isNotNull();
        }
    }

    @Test
    void shouldManageGroupMembersOverHttpAndSyncTheSendersOtherDevices() throws Exception {
        try (TestClient alice = TestClient.register(edge1.port(), name("alice")).connect(edge1.port());
                TestClient bob = TestClient.register(edge2.port(), name("bob")).connect(edge2.port());
                TestClient carol =
                        TestClient.register(edge2.port(), name("carol")).connect(edge2.port())) {
            TestClient.Response group = alice.createGroup(edge1.port(), "g", bob.userId);
            String conv = group.body().get("conversation_id").asText();
            String members = "/v1/conversations/" + conv + "/members";

            TestClient.Response notAdmin =
                    bob.http(edge2.port(), "POST", members, "{\"members\":[\"" + carol.userId + "\"]}");
            assertThat(notAdmin.status()).isEqualTo(403);
            assertThat(notAdmin.body().get("code").asText()).isEqualTo("forbidden");
            assertThat(alice.http(edge1.port(), "POST", members, "{\"members\":[\"" + carol.userId + "\"]}")
                            .status())
                    .isEqualTo(200);
            assertThat(carol.await(f -> "member".equals(f.path("type").asText()))
                            .get("added")
                            .get(0)
                            .asText())
                    .isEqualTo(carol.userId);
            assertThat(alice.http(edge1.port(), "POST", members, "{\"members\":[\"u_nobody\"]}")
                            .status())
                    .isEqualTo(404);

            // the sender's second device (another edge) gets the message itself; the sending socket gets sent
            try (TestClient tablet = alice.secondDevice(edge2.port())) {
                alice.send(send(conv, "md1", "from my phone"));
                assertThat(alice.awaitType("sent", "md1").get("seq").asLong()).isEqualTo(1);
                assertThat(tablet.awaitType("message", null).get("body").asText())
                        .isEqualTo("from my phone");
                assertThat(alice.count(f -> "message".equals(f.path("type").asText())))
                        .isZero();
            }

            assertThat(bob.http(edge2.port(), "DELETE", members + "/" + bob.userId, null)
                            .status())
                    .isEqualTo(200);
            bob.send(send(conv, "gone1", "still here?"));
            assertThat(bob.awaitType("error", "gone1").get("code").asText()).isEqualTo("not_member");
        }
    }

    @Test
    void shouldAnswerARetriedGroupCreateWithTheFirstGroupInsteadOfASecond() throws Exception {
        try (TestClient alice = TestClient.register(edge1.port(), name("alice")).connect(edge1.port());
                TestClient bob = TestClient.register(edge2.port(), name("bob")).connect(edge2.port())) {
            String create =
                    "{\"type\":\"group\",\"name\":\"g\",\"id\":\"create-1\",\"members\":[\"" + bob.userId + "\"]}";
            TestClient.Response first = alice.http(edge1.port(), "POST", "/v1/conversations", create);
            assertThat(first.status()).isEqualTo(201);
            String conv = first.body().get("conversation_id").asText();

            // the answer was lost: the retry, on the other edge, names the same group
            TestClient.Response retry = alice.http(edge2.port(), "POST", "/v1/conversations", create);
            assertThat(retry.status()).isEqualTo(200);
            assertThat(retry.body())
                    .as("the same body as the first answer: id, type, name, members, admins")
                    .isEqualTo(first.body());
            alice.send(send(conv, "after-retry", "one group"));
            List<JsonNode> toBob =
                    bob.awaitAllUntil(f -> "message".equals(f.path("type").asText())
                            && conv.equals(f.path("conversation_id").asText()));
            assertThat(toBob)
                    .filteredOn(f -> "created".equals(f.path("change").asText()))
                    .as("bob was told of one group, once (frames of a conversation come in order)")
                    .extracting(f -> f.path("conversation_id").asText())
                    .containsExactly(conv);

            TestClient.Response stolen = bob.http(edge2.port(), "POST", "/v1/conversations", create);
            assertThat(stolen.status()).isEqualTo(201);
            assertThat(stolen.body().get("conversation_id").asText())
                    .as("another creator's id derives another group")
                    .isNotEqualTo(conv);

            TestClient.Response noId = alice.createGroup(edge1.port(), "g", bob.userId);
            assertThat(noId.status()).isEqualTo(201);
            assertThat(noId.body().get("conversation_id").asText()).isNotEqualTo(conv);

            TestClient.Response badId = alice.http(
                    edge1.port(),
                    "POST",
                    "/v1/conversations",
                    "{\"type\":\"group\",\"id\":\"has space\",\"members\":[\"" + bob.userId + "\"]}");
            assertThat(badId.status()).isEqualTo(400);
            assertThat(badId.body().get("code").asText()).isEqualTo("bad_request");

            // the create id's bound is the message id's: 128 characters made a group, 129 are refused
            String longest =
                    "{\"type\":\"group\",\"id\":\"" + "i".repeat(128) + "\",\"members\":[\"" + bob.userId + "\"]}";
            assertThat(alice.http(edge1.port(), "POST", "/v1/conversations", longest)
                            .status())
                    .isEqualTo(201);
            TestClient.Response tooLong = alice.http(
                    edge1.port(), "POST", "/v1/conversations", longest.replace("i".repeat(128), "i".repeat(129)));
            assertThat(tooLong.status()).isEqualTo(400);
            assertThat(tooLong.body().get("code").asText()).isEqualTo("bad_request");
        }
    }

    @Test
    void shouldServeHealthReadinessAndMetrics() throws Exception {
        assertThat(TestClient.http(edge1.port(), "GET", "/healthz", null, null).status())
                .isEqualTo(200);
        TestClient.Response ready = TestClient.http(edge1.port(), "GET", "/readyz", null, null);
        assertThat(ready.status()).as(ready.toString()).isEqualTo(200);
        var metrics = HttpClient.newHttpClient()
                .send(
                        java.net.http.HttpRequest.newBuilder(
                                        URI.create("http://127.0.0.1:" + edge1.port() + "/metrics"))
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.body()).contains("parley_edge_connections", "parley_edge_frames_in");
    }
}
