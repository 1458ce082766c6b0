package dev.parley.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.schema.AvroSerde;
import dev.parley.schema.ConversationEvent;
import dev.parley.schema.Delivery;
import dev.parley.schema.MessagePosted;
import dev.parley.schema.ParleySerdes;
import dev.parley.schema.RedisKeys;
import dev.parley.schema.TopicProvisioner;
import dev.parley.schema.Topics;
import dev.parley.testkit.CassandraNodeExtension;
import dev.parley.testkit.KafkaClusterExtension;
import dev.parley.testkit.RedisFaultProxy;
import dev.parley.testkit.RedisServerExtension;
import dev.parley.topology.TopologyMain;
import dev.parley.topology.TopologySettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.JedisPooled;

/**
 * Redis hung (answers nothing, like a SIGSTOPped server) and Redis dead (connections reset and
 * refused) under two real edges and the real topology, all reaching Redis through a {@link
 * RedisFaultProxy}: sends of four clients at once keep being answered, the recipient on the other edge keeps getting them
 * live, /readyz answers at once, and once Redis is back every client is told to resync and the
 * sessions are in Redis again.
 */
@ExtendWith({KafkaClusterExtension.class, RedisServerExtension.class, CassandraNodeExtension.class})
class EdgeRedisOutageIT {

    private static final int SENDERS = 4;
    private static final int SENDS_PER_SENDER = 20;
    /** The bound the Kafka outage test holds sends to (the producer's delivery timeout). */
    private static final long ANSWER_DEADLINE_MS = 10_000;

    private static RedisFaultProxy proxy;
    private static TopologyMain.RunningTopology topology;
    private static EdgeMain.RunningEdge edge1;
    private static EdgeMain.RunningEdge edge2;
    private static String edge1Id;
    private static String edge2Id;
    private static RedisKeys keys;
    private static JedisPooled redis;

    @BeforeAll
    static void start() throws Exception {
        proxy = RedisFaultProxy.toTestRedis();
        redis = new JedisPooled(RedisServerExtension.url());
        String bootstrap = KafkaClusterExtension.bootstrapServers();
        String prefix = RedisServerExtension.newKeyPrefix();
        keys = new RedisKeys(prefix);
        String applicationId = KafkaClusterExtension.unique("parley-redis-outage-it");
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            new TopicProvisioner(admin, (short) 1, 3, null).provisionCatalogue();
        }
        topology = TopologyMain.start(new TopologySettings(Map.of(
                TopologySettings.BOOTSTRAP_SERVERS,
                bootstrap,
                TopologySettings.APPLICATION_ID,
                applicationId,
                TopologySettings.STATE_DIR,
                Files.createTempDirectory("redis-outage-it-state").toString(),
                TopologySettings.REDIS_URL,
                proxy.url(),
                TopologySettings.REDIS_KEY_PREFIX,
                prefix,
                TopologySettings.METRICS_PORT,
                0)));
        String keyspace = CassandraNodeExtension.newMigratedKeyspace();
        edge1Id = "it-redis-1-" + UUID.randomUUID().toString().substring(0, 6);
        edge2Id = "it-redis-2-" + UUID.randomUUID().toString().substring(0, 6);
        edge1 = EdgeMain.start(settings(edge1Id, bootstrap, prefix, keyspace, applicationId));
        edge2 = EdgeMain.start(settings(edge2Id, bootstrap, prefix, keyspace, applicationId));
    }

    private static EdgeSettings settings(
            String edgeId, String bootstrap, String prefix, String keyspace, String applicationId) {
        Map<String, Object> s = new HashMap<>();
        s.put(EdgeSettings.EDGE_ID, edgeId);
        s.put(EdgeSettings.REGISTRATIONS_PER_ADDRESS, 10_000); // every test user registers from 127.0.0.1
        s.put(EdgeSettings.HTTP_HOST, "127.0.0.1");
        s.put(EdgeSettings.HTTP_PORT, 0);
        s.put(EdgeSettings.BOOTSTRAP_SERVERS, bootstrap);
        s.put(EdgeSettings.REDIS_URL, proxy.url());
        s.put(EdgeSettings.REDIS_KEY_PREFIX, prefix);
        s.put(
                EdgeSettings.CASSANDRA_CONTACT_POINT,
                CassandraNodeExtension.host() + ":" + CassandraNodeExtension.port());
        s.put(EdgeSettings.CASSANDRA_KEYSPACE, keyspace);
        s.put(EdgeSettings.JWT_SECRET, "it-secret-it-secret-it-secret-it-secret");
        s.put(EdgeSettings.TOPOLOGY_APPLICATION_ID, applicationId);
        return new EdgeSettings(s);
    }

    @AfterEach
    void redisBack() {
        proxy.restart();
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable part : new AutoCloseable[] {edge1, edge2, topology, proxy, redis}) {
            try {
                if (part != null) {
                    part.close();
                }
            } catch (Exception e) {
                // closing what is left after a failure
            }
        }
    }

    private static String metrics(EdgeMain.RunningEdge edge) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + "/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    private static String name(String base) {
        return base + UUID.randomUUID().toString().substring(0, 8);
    }

    private static String send(String conversation, String id, String body) {
        return "{\"type\":\"send\",\"id\":\"" + id + "\",\"conversation_id\":\"" + conversation + "\",\"body\":\""
                + body + "\"}";
    }

    @Test
    void shouldAnswerEverySendAndDeliverItLiveWhileRedisHangsThenResync() throws Exception {
        outage(proxy::hang, proxy::resume, "hung");
    }

    @Test
    void shouldAnswerEverySendAndDeliverItLiveWhileRedisIsDeadThenResync() throws Exception {
        outage(proxy::kill, proxy::restart, "dead");
    }

    private void outage(Runnable fail, Runnable recover, String label) throws Exception {
        List<TestClient> senders = new ArrayList<>();
        try (TestClient bob = TestClient.register(edge2.port(), name("bob")).connect(edge2.port())) {
            for (int c = 0; c < SENDERS; c++) {
                senders.add(
                        TestClient.register(edge1.port(), name("sender" + c)).connect(edge1.port()));
            }
            TestClient alice = senders.get(0);
            StringBuilder members = new StringBuilder("\"" + bob.userId + "\"");
            senders.stream()
                    .skip(1)
                    .forEach(c -> members.append(",\"").append(c.userId).append('"'));
            TestClient.Response group = alice.http(
                    edge1.port(),
                    "POST",
                    "/v1/conversations",
                    "{\"type\":\"group\",\"name\":\"outage\",\"members\":[" + members + "]}");
            assertThat(group.status()).as(group.toString()).isEqualTo(201);
            String conv = group.body().get("conversation_id").asText();
            alice.send(send(conv, "before", "before the outage"));
            alice.awaitType("sent", "before");
            assertThat(bob.awaitType("message", null).get("body").asText()).isEqualTo("before the outage");

            fail.run();
            long start = System.nanoTime();
            for (int i = 0; i < SENDS_PER_SENDER; i++) {
                for (int c = 0; c < SENDERS; c++) {
                    senders.get(c).send(send(conv, "m" + c + "-" + i, "during " + c + "-" + i));
                }
            }
            long lastAnswerMs = 0;
            for (TestClient sender : senders) {
                Set<String> answered = new HashSet<>();
                sender.await(f -> {
                    if ("sent".equals(f.path("type").asText())) {
                        answered.add(f.path("id").asText());
                    }
                    return answered.size() == SENDS_PER_SENDER;
                });
                // read after the fact for all but the first sender: an upper bound
                lastAnswerMs = Math.max(lastAnswerMs, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            }
            Set<String> delivered = new HashSet<>();
            bob.await(f -> {
                if ("message".equals(f.path("type").asText())) {
                    delivered.add(f.path("body").asText());
                }
                return delivered.size() == SENDERS * SENDS_PER_SENDER;
            });
            long deliveredMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(lastAnswerMs)
                    .as("%s Redis: every send acked within %d ms", label, ANSWER_DEADLINE_MS)
                    .isLessThan(ANSWER_DEADLINE_MS);

            long slowestReadyMs = 0;
            for (EdgeMain.RunningEdge edge : new EdgeMain.RunningEdge[] {edge1, edge2}) {
                // an idle edge notices by its own pings; wait until both count Redis as down
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
                while (true) {
                    long readyStart = System.nanoTime();
                    TestClient.Response ready = TestClient.http(edge.port(), "GET", "/readyz", null, null);
                    slowestReadyMs =
                            Math.max(slowestReadyMs, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - readyStart));
                    assertThat(ready.status()).as(ready.toString()).isEqualTo(200);
                    assertThat(ready.body().get("status").asText()).isEqualTo("degraded");
                    if (ready.body().get("checks").get("redis").asText().contains("circuit open")) {
                        assertThat(metrics(edge)).contains("parley_edge_redis_available 0.0");
                        break;
                    }
                    assertThat(System.nanoTime()).as("breaker open within 15 s").isLessThan(deadline);
                    Thread.sleep(100);
                }
            }
            System.out.printf(
                    "%s Redis: %d sends acked after %d ms, delivered live after %d ms, slowest /readyz %d ms%n",
                    label, SENDERS * SENDS_PER_SENDER, lastAnswerMs, deliveredMs, slowestReadyMs);

            recover.run();
            for (TestClient sender : senders) {
                assertThat(sender.awaitType("resync", null).get("reason").asText())
                        .isEqualTo("redis_recovered");
            }
            assertThat(bob.awaitType("resync", null)).isNotNull();
            assertThat(redis.hgetAll(keys.sessions(bob.userId)).values())
                    .as("bob's session re-registered")
                    .contains(edge2Id);
            assertThat(redis.exists(keys.edgeHeartbeat(edge1Id))).isTrue();

            awaitNormalRouting(alice, bob, conv);
        } finally {
            senders.forEach(TestClient::close);
        }
    }

    /**
     * Sends until a message is routed by session again, not by the all-edges fallback: alice's edge
     * then gets a record listing the members on it, not bob (who is on the other edge). The topology
     * notices Redis on its first lookup after its breaker's cool-down, so this takes a moment.
     */
    private static void awaitNormalRouting(TestClient alice, TestClient bob, String conv) throws Exception {
        Map<String, Object> props = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                KafkaClusterExtension.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed");
        TopicPartition edge1Deliveries =
                new TopicPartition(Topics.delivery(edge1Id).name(), 0);
        AvroSerde<Delivery> serde = new ParleySerdes().delivery();
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(List.of(edge1Deliveries));
            consumer.seekToEnd(List.of(edge1Deliveries));
            consumer.position(edge1Deliveries);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            for (int i = 0; System.nanoTime() < deadline; i++) {
                String body = "after the outage " + i;
                alice.send(send(conv, "after" + i, body));
                alice.awaitType("sent", "after" + i);
                bob.await(f -> "message".equals(f.path("type").asText())
                        && body.equals(f.path("body").asText()));
                List<String> recipients = null;
                while (recipients == null && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        Delivery d = serde.deserialize(r.topic(), r.value());
                        if (d.getPayload() instanceof ConversationEvent e
                                && e.getPayload() instanceof MessagePosted posted
                                && posted.getBody().equals(body)) {
                            recipients = d.getRecipients();
                        }
                    }
                }
                assertThat(recipients).as("the delivery record of %s", body).isNotNull();
                if (!recipients.contains(bob.userId)) {
                    assertThat(recipients).contains(alice.userId);
                    return;
                }
            }
            throw new AssertionError("still routing to every edge 15 s after Redis came back");
        }
    }

    @Test
    void shouldRegisterASocketOpenedDuringTheOutageOnceRedisIsBack() throws Exception {
        try (TestClient carol = TestClient.register(edge2.port(), name("carol"))) {
            proxy.kill();
            carol.connect(edge2.port());
            carol.send("{\"type\":\"ping\",\"id\":\"p\"}");
            carol.awaitType("pong", "p");
            // the edge must have noticed the outage before Redis is back: a session write still
            // waiting on the dead connection when the proxy returns may simply succeed, and then
            // there is no outage to recover from (this test failed that way twice in CI)
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (!metrics(edge2).contains("parley_edge_redis_available 0.0")) {
                assertThat(System.nanoTime()).as("breaker open within 15 s").isLessThan(deadline);
                Thread.sleep(100);
            }
            proxy.restart();
            carol.awaitType("resync", null);
            assertThat(redis.hgetAll(keys.sessions(carol.userId)).values()).contains(edge2Id);
        }
    }

    @Test
    void shouldReadItsDeliveryTopicWithoutAConsumerGroup() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", KafkaClusterExtension.bootstrapServers()))) {
            assertThat(admin.listGroups().all().get(10, TimeUnit.SECONDS))
                    .extracting(GroupListing::groupId)
                    .noneMatch(g -> g.contains(edge1Id) || g.contains(edge2Id));
        }
        assertThat(metrics(edge1))
                .as("the lag the broker cannot show without a group")
                .contains("parley_edge_delivery_lag");
    }
}
