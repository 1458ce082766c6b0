package dev.parley.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import com.eatthepath.pushy.apns.ApnsPushNotification;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.schema.Command;
import dev.parley.schema.CommandAccepted;
import dev.parley.schema.ConversationEvent;
import dev.parley.schema.ConversationIds;
import dev.parley.schema.ConversationType;
import dev.parley.schema.CreateConversation;
import dev.parley.schema.Delivery;
import dev.parley.schema.MessagePosted;
import dev.parley.schema.Origin;
import dev.parley.schema.ParleySerdes;
import dev.parley.schema.SendMessage;
import dev.parley.schema.TopicProvisioner;
import dev.parley.schema.Topics;
import dev.parley.testkit.MockApns;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import redis.clients.jedis.Jedis;

/**
 * {@code ./parley up} as a user runs it: a real process, real servers, a data folder that persists.
 * One stack for the class, with push to a mock APNs configured: a start of the whole stack is most
 * of each case's time, so the push case runs first on it and the restart case then restarts it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ParleyUpIT {

    private static final String TOPIC = "dev.parley.app";
    private final ParleySerdes serdes = new ParleySerdes();
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient client = HttpClient.newHttpClient();
    private MockApns apns;
    private ParleyProcess parley;

    record User(String id, String token) {}

    @BeforeAll
    void startTheStack() throws Exception {
        apns = new MockApns(TOPIC);
        Path data = Files.createTempDirectory("parley-up");
        Path pushSettings = Files.createTempDirectory("parley-up-push").resolve("push.properties");
        Files.writeString(
                pushSettings,
                String.join(
                        "\n",
                        "apns.key.file=" + apns.keyFile(),
                        "apns.key.id=" + MockApns.KEY_ID,
                        "apns.team.id=" + MockApns.TEAM_ID,
                        "apns.topic=" + TOPIC,
                        "apns.host=localhost",
                        "apns.port=" + apns.port(),
                        "apns.trust.cert.file=" + apns.certificateFile()));
        parley = new ParleyProcess(data, Map.of("PARLEY_PUSH_CONFIG_FILE", pushSettings.toString()));
        parley.start();
    }

    @AfterAll
    void stopTheStack() throws Exception {
        try (MockApns closing = apns) {
            parley.close();
        }
    }

    /**
     * Offline push through the whole stack: edge (devices, send) -> topology -> parley.notify.v1 ->
     * NotificationTopology -> parley.push.v1 -> push sink in the Connect worker -> pushy's
     * MockApnsServer.
     */
    @Test
    @Order(1)
    void shouldPushToAnOfflineUsersPhoneWithinFiveSecondsAndNotWhileTheyAreOnline() throws Exception {
        assertThat(parley.output()).anyMatch(l -> l.contains("push sink") && l.contains("ready in"));
        String deviceToken = MockApns.newDeviceToken();
        apns.register(deviceToken);
        User alice = signUp(parley, "alice", "Alice Liddell");
        User bob = signUp(parley, "bob", "Bob");
        HttpResponse<String> device = parley.http(
                "POST",
                "/v1/devices",
                bob.token(),
                "{\"platform\":\"apns\",\"token\":\"" + deviceToken + "\",\"device_id\":\"bobs-phone\"}");
        assertThat(device.statusCode()).as(device.body()).isEqualTo(201);
        HttpResponse<String> direct = parley.http(
                "POST", "/v1/conversations", alice.token(), "{\"type\":\"direct\",\"members\":[\"" + bob.id() + "\"]}");
        assertThat(direct.statusCode()).as(direct.body()).isEqualTo(201);
        String conv = json.readTree(direct.body()).path("conversation_id").asText();

        // bob has no socket: the message becomes a push
        long sentAt = System.nanoTime();
        HttpResponse<String> sent = parley.http(
                "POST",
                "/v1/conversations/" + conv + "/messages",
                alice.token(),
                "{\"id\":\"p1\",\"body\":\"are you there?\"}");
        assertThat(sent.statusCode()).as(sent.body()).isEqualTo(200);
        ApnsPushNotification push = apns.nextAccepted(5, TimeUnit.SECONDS);
        Duration took = Duration.ofNanos(System.nanoTime() - sentAt);
        assertThat(push).as("APNs got the push within 5 s of the send").isNotNull();
        System.out.printf("push e2e: HTTP send to APNs accept in %d ms%n", took.toMillis());
        assertThat(push.getToken()).isEqualTo(deviceToken);
        assertThat(push.getTopic()).isEqualTo(TOPIC);
        JsonNode payload = json.readTree(push.getPayload());
        assertThat(payload.at("/aps/alert/body").asText()).isEqualTo("are you there?");
        assertThat(payload.at("/aps/alert/title").asText()).isEqualTo("Alice Liddell");
        assertThat(payload.path("conversation_id").asText()).isEqualTo(conv);
        assertThat(payload.path("seq").asLong()).isEqualTo(1);

        // bob comes online: the next message reaches his socket and no push is sent
        BlockingQueue<String> frames = new LinkedBlockingQueue<>();
        WebSocket socket = client.newWebSocketBuilder()
                .header("Authorization", "Bearer " + bob.token())
                .buildAsync(URI.create("ws://127.0.0.1:" + parley.httpPort() + "/v1/ws"), collector(frames))
                .get(10, TimeUnit.SECONDS);
        Thread.sleep(2_000); // past the session cache of the router (about 1 s)
        HttpResponse<String> second = parley.http(
                "POST",
                "/v1/conversations/" + conv + "/messages",
                alice.token(),
                "{\"id\":\"p2\",\"body\":\"there you are\"}");
        assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
        String frame;
        boolean delivered = false;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!delivered && (frame = frames.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) != null) {
            delivered = frame.contains("there you are");
        }
        assertThat(delivered).as("bob's socket got the message").isTrue();
        assertThat(apns.nextAccepted(8, TimeUnit.SECONDS))
                .as("no push for a user who is online")
                .isNull();
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
    }

    @Test
    @Order(2)
    void shouldLoseNothingAcrossACleanRestartOrAKillAndTakeItsServersDownWithIt() throws Exception {
        String conv = ConversationIds.direct("alice", "bob");
        assertThat(parley.output()).anyMatch(l -> l.contains("cassandra") && l.contains("ready in"));
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", parley.bootstrapServers()))) {
            new TopicProvisioner(admin, (short) 1, 0, null).provisionDelivery("e1");
        }
        try (Jedis redis = new Jedis("127.0.0.1", parley.redisPort())) {
            redis.set("parley-it:survives", "yes");
        }
        HttpResponse<String> user =
                parley.http("POST", "/v1/users", null, "{\"username\":\"carol\",\"password\":\"correct horse\"}");
        assertThat(user.statusCode()).as(user.body()).isEqualTo(201);
        HttpResponse<String> login =
                parley.http("POST", "/v1/tokens", null, "{\"username\":\"carol\",\"password\":\"correct horse\"}");
        String token = login.body().replaceAll(".*\"access_token\":\"([^\"]+)\".*", "$1");
        send(parley, new CreateConversation(ConversationType.DIRECT, null, List.of("bob"), null, null), conv, "create");
        send(parley, new SendMessage("m1", "before restart", List.of(), null, null, List.of(), List.of()), conv, "c1");
        assertThat(messages(parley, conv, 1))
                .extracting(ConversationEvent::getSeq)
                .containsExactly(1L);
        assertThat(parley.stop()).isIn(0, 130, 143);
        assertThat(parley.output()).contains("parley: stopped cassandra");

        parley.start();
        try (Jedis redis = new Jedis("127.0.0.1", parley.redisPort())) {
            assertThat(redis.get("parley-it:survives"))
                    .as("Redis data after restart")
                    .isEqualTo("yes");
        }
        // the conversation, its seq and its dedup entry all survived: a retry gets seq 1 back,
        // a new message gets seq 2
        send(
                parley,
                new SendMessage("m1", "before restart", List.of(), null, null, List.of(), List.of()),
                conv,
                "retry");
        send(parley, new SendMessage("m2", "after restart", List.of(), null, null, List.of(), List.of()), conv, "c2");
        assertThat(messages(parley, conv, 2))
                .extracting(ConversationEvent::getSeq)
                .containsExactly(1L, 2L);
        CommandAccepted retry = (CommandAccepted) deliveries(parley, "retry").getPayload();
        assertThat(retry.getSeq()).isEqualTo(1);
        assertThat(retry.getDuplicate()).isTrue();

        // the whole path: HTTP send -> topology -> events -> Connect sink -> Cassandra -> history API
        HttpResponse<String> dave =
                parley.http("POST", "/v1/users", null, "{\"username\":\"dave\",\"password\":\"correct horse\"}");
        String daveId = dave.body().replaceAll(".*\"user_id\":\"([^\"]+)\".*", "$1");
        HttpResponse<String> direct = parley.http(
                "POST", "/v1/conversations", token, "{\"type\":\"direct\",\"members\":[\"" + daveId + "\"]}");
        assertThat(direct.statusCode()).as(direct.body()).isEqualTo(201);
        String convId = direct.body().replaceAll(".*\"conversation_id\":\"([^\"]+)\".*", "$1");
        assertThat(parley.http(
                                "POST",
                                "/v1/conversations/" + convId + "/messages",
                                token,
                                "{\"id\":\"h1\",\"body\":\"into history\"}")
                        .statusCode())
                .isEqualTo(200);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String history = "";
        while (!history.contains("into history") && System.nanoTime() < deadline) {
            history = parley.http("GET", "/v1/conversations/" + convId + "/messages", token, null)
                    .body();
            Thread.sleep(100);
        }
        assertThat(history).as("history after the sink wrote it").contains("\"seq\":1", "into history");

        // the sinks read committed events only: a topology that crashes mid-commit leaves an
        // aborted transaction on parley.events.v1, and its events must never reach history
        long now = System.currentTimeMillis();
        ConversationEvent aborted = new ConversationEvent(
                now,
                convId,
                2L,
                java.time.Instant.ofEpochMilli(now),
                daveId,
                0L,
                new MessagePosted(now, "h2", "aborted write", List.of(), null, null, null, List.of(), List.of()));
        ConversationEvent committed = new ConversationEvent(
                now + 1,
                convId,
                3L,
                java.time.Instant.ofEpochMilli(now),
                daveId,
                0L,
                new MessagePosted(now + 1, "h3", "committed write", List.of(), null, null, null, List.of(), List.of()));
        appendAbortedThenCommitted(parley, aborted, committed);
        deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!history.contains("committed write") && System.nanoTime() < deadline) {
            history = parley.http("GET", "/v1/conversations/" + convId + "/messages", token, null)
                    .body();
            Thread.sleep(100);
        }
        assertThat(history)
                .as("history after a committed and an aborted transaction")
                .contains("committed write")
                .doesNotContain("aborted write");

        // and the search path: events -> search sink -> OpenSearch -> /v1/search, committed only
        String found = "";
        deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!found.contains("committed write") && System.nanoTime() < deadline) {
            found = parley.http("GET", "/v1/search?q=write", token, null).body();
            Thread.sleep(100);
        }
        assertThat(found).contains("\"seq\":3", "<mark>write</mark>").doesNotContain("aborted");
        assertThat(parley.http("GET", "/v1/search?q=HISTORY", token, null).body())
                .contains("into history");

        // kill -9: the forked servers must not outlive their parent (one start of the whole
        // stack costs ~45 s here, so this rides on the stack the restart already paid for)
        ProcessHandle cassandra = parley.cassandra().orElseThrow();
        ProcessHandle search = parley.search().orElseThrow();
        List<ProcessHandle> children = parley.children();
        parley.kill();
        assertThat(cassandra.onExit().get(30, TimeUnit.SECONDS).isAlive())
                .as("the forked Cassandra outlived a kill -9 of its parent")
                .isFalse();
        assertThat(search.onExit().get(30, TimeUnit.SECONDS).isAlive())
                .as("the forked OpenSearch node outlived a kill -9 of its parent")
                .isFalse();

        // Redis outlives a kill -9 of its parent; the next start stops it through its pid file,
        // and Kafka and Cassandra recover their logs: nothing committed before the kill is lost
        parley.start();
        assertThat(children).allSatisfy(child -> assertThat(child.isAlive()).isFalse());
        String again = parley.http(
                        "POST", "/v1/tokens", null, "{\"username\":\"carol\",\"password\":\"correct horse\"}")
                .body()
                .replaceAll(".*\"access_token\":\"([^\"]+)\".*", "$1");
        assertThat(parley.http("GET", "/v1/conversations/" + convId + "/messages", again, null)
                        .body())
                .as("history after a kill -9 and a start")
                .contains("into history", "committed write")
                .doesNotContain("aborted write");
        send(parley, new SendMessage("m3", "after the kill", List.of(), null, null, List.of(), List.of()), conv, "c3");
        assertThat(messages(parley, conv, 3))
                .extracting(ConversationEvent::getSeq)
                .containsExactly(1L, 2L, 3L);
        assertThat(parley.stop()).isIn(0, 130, 143);
    }

    @Test
    @Order(3)
    void shouldExplainAPortInUseInOneLine() throws Exception {
        try (ParleyProcess other = new ParleyProcess(Files.createTempDirectory("parley-up-port"));
                var blocker = new java.net.ServerSocket(
                        Integer.parseInt(other.env.get("PARLEY_KAFKA_PORT")),
                        1,
                        java.net.InetAddress.getLoopbackAddress())) {
            assertThat(other.runToExit()).isEqualTo(1);
            assertThat(other.output())
                    .anyMatch(l -> l.startsWith("parley: port ") && l.contains("PARLEY_KAFKA_PORT"))
                    .noneMatch(l -> l.contains("Exception") || l.startsWith("\tat "));
        }
    }

    private void send(ParleyProcess parley, Object payload, String conv, String clientId) {
        Properties p = new Properties();
        p.put("bootstrap.servers", parley.bootstrapServers());
        p.put("acks", "all");
        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            Command command = new Command(conv, "alice", new Origin("e1", "conn-1", clientId), payload);
            producer.send(new ProducerRecord<>(
                    Topics.COMMANDS.name(), conv, serdes.command().serialize(Topics.COMMANDS.name(), command)));
        }
    }

    /** Two transactions on parley.events.v1, as the topology writes them: the first aborted. */
    private void appendAbortedThenCommitted(
            ParleyProcess parley, ConversationEvent aborted, ConversationEvent committed) {
        Properties p = new Properties();
        p.put("bootstrap.servers", parley.bootstrapServers());
        p.put("transactional.id", "it-" + UUID.randomUUID());
        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(event(aborted));
            producer.flush();
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(event(committed));
            producer.commitTransaction();
        }
    }

    private ProducerRecord<String, byte[]> event(ConversationEvent e) {
        return new ProducerRecord<>(
                Topics.EVENTS.name(), e.getConversationId(), serdes.event().serialize(Topics.EVENTS.name(), e));
    }

    private List<ConversationEvent> messages(ParleyProcess parley, String conv, int count) {
        List<ConversationEvent> out = new ArrayList<>();
        for (var r : read(
                parley,
                Topics.EVENTS.name(),
                r -> {
                    ConversationEvent e = serdes.event().deserialize(r.topic(), r.value());
                    return conv.equals(r.key()) && e.getPayload() instanceof MessagePosted;
                },
                count)) {
            out.add(serdes.event().deserialize(r.topic(), r.value()));
        }
        return out;
    }

    private Delivery deliveries(ParleyProcess parley, String clientId) {
        var records = read(
                parley,
                Topics.delivery("e1").name(),
                r -> {
                    Delivery d = serdes.delivery().deserialize(r.topic(), r.value());
                    return d.getOrigin() != null
                            && clientId.equals(d.getOrigin().getClientId());
                },
                1);
        return serdes.delivery()
                .deserialize(records.get(0).topic(), records.get(0).value());
    }

    private static List<ConsumerRecord<String, byte[]>> read(
            ParleyProcess parley,
            String topic,
            java.util.function.Predicate<ConsumerRecord<String, byte[]>> filter,
            int count) {
        Properties p = new Properties();
        p.put("bootstrap.servers", parley.bootstrapServers());
        p.put("group.id", "it-" + UUID.randomUUID());
        p.put("auto.offset.reset", "earliest");
        p.put("isolation.level", "read_committed");
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (out.size() < count) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("read " + out.size() + " of " + count + " from " + topic);
                }
                for (var r : consumer.poll(Duration.ofMillis(200))) {
                    if (filter.test(r)) {
                        out.add(r);
                    }
                }
            }
        }
        return out;
    }

    private User signUp(ParleyProcess parley, String name, String displayName) throws Exception {
        String credentials = "{\"username\":\"" + name + "\",\"password\":\"correct horse\"}";
        HttpResponse<String> created = parley.http(
                "POST",
                "/v1/users",
                null,
                "{\"username\":\"" + name + "\",\"password\":\"correct horse\",\"display_name\":\"" + displayName
                        + "\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        HttpResponse<String> login = parley.http("POST", "/v1/tokens", null, credentials);
        assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
        return new User(
                json.readTree(created.body()).path("user_id").asText(),
                json.readTree(login.body()).path("access_token").asText());
    }

    private static WebSocket.Listener collector(BlockingQueue<String> frames) {
        return new WebSocket.Listener() {
            private final StringBuilder partial = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    frames.add(partial.toString());
                    partial.setLength(0);
                }
                ws.request(1);
                return null;
            }
        };
    }
}
