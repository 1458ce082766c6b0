package dev.parley.standalone;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
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
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/** {@code ./parley up} as a user runs it: a real process, real servers, a data folder that persists. */
class ParleyUpIT {

    private final ParleySerdes serdes = new ParleySerdes();

    @Test
    void shouldLoseNothingAcrossACleanRestartOrAKillAndTakeItsServersDownWithIt() throws Exception {
        Path data = Files.createTempDirectory("parley-up-restart");
        String conv = ConversationIds.direct("alice", "bob");
        try (ParleyProcess parley = new ParleyProcess(data)) {
            parley.start();
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
            send(
                    parley,
                    new CreateConversation(ConversationType.DIRECT, null, List.of("bob"), null, null),
                    conv,
                    "create");
            send(
                    parley,
                    new SendMessage("m1", "before restart", List.of(), null, null, List.of(), List.of()),
                    conv,
                    "c1");
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
            send(
                    parley,
                    new SendMessage("m2", "after restart", List.of(), null, null, List.of(), List.of()),
                    conv,
                    "c2");
            assertThat(messages(parley, conv, 2))
                    .extracting(ConversationEvent::getSeq)
                    .containsExactly(1L, 2L);
            CommandAccepted retry =
                    (CommandAccepted) deliveries(parley, "retry").getPayload();
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
                    new MessagePosted(
                            now + 1, "h3", "committed write", List.of(), null, null, null, List.of(), List.of()));
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
            send(
                    parley,
                    new SendMessage("m3", "after the kill", List.of(), null, null, List.of(), List.of()),
                    conv,
                    "c3");
            assertThat(messages(parley, conv, 3))
                    .extracting(ConversationEvent::getSeq)
                    .containsExactly(1L, 2L, 3L);
            assertThat(parley.stop()).isIn(0, 130, 143);
        }
    }

    @Test
    void shouldExplainAPortInUseInOneLine() throws Exception {
        try (ParleyProcess parley = new ParleyProcess(Files.createTempDirectory("parley-up-port"));
                var blocker = new java.net.ServerSocket(
                        Integer.parseInt(parley.env.get("PARLEY_KAFKA_PORT")),
                        1,
                        java.net.InetAddress.getLoopbackAddress())) {
            assertThat(parley.runToExit()).isEqualTo(1);
            assertThat(parley.output())
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
}
