package dev.parley.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.connect.cassandra.CassandraSinkConfig;
import dev.parley.edge.EdgeMain;
import dev.parley.edge.EdgeSettings;
import dev.parley.schema.ConversationEvent;
import dev.parley.schema.ParleySerdes;
import dev.parley.schema.TopicProvisioner;
import dev.parley.schema.Topics;
import dev.parley.schema.history.EventWriter;
import dev.parley.testkit.CassandraNodeExtension;
import dev.parley.testkit.FreePorts;
import dev.parley.testkit.KafkaClusterExtension;
import dev.parley.testkit.RedisServerExtension;
import dev.parley.topology.TopologyMain;
import dev.parley.topology.TopologySettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Edit, delete for everyone, the changes feed and disappearing messages through the whole pipeline:
 * edge (HTTP and socket) -> ConversationTopology -> parley.events.v1 -> the Cassandra sink on a
 * Connect worker -> history and the changes feed, all real servers, one stack for every case.
 *
 * <p>The topology runs with {@code retention.min.seconds=2} (the production floor is 60 s, tested in
 * {@code MessageChangesTest}) so that expiry is seen within seconds.
 */
@ExtendWith({KafkaClusterExtension.class, RedisServerExtension.class, CassandraNodeExtension.class})
class MessageChangesIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String SECRET = "it-secret-it-secret-it-secret-it-secret";

    private static TopologyMain.RunningTopology topology;
    private static EdgeMain.RunningEdge edge;
    private static EmbeddedConnect connect;
    private static String keyspace;

    @BeforeAll
    static void start() throws Exception {
        String bootstrap = KafkaClusterExtension.bootstrapServers();
        String prefix = RedisServerExtension.newKeyPrefix();
        String appId = KafkaClusterExtension.unique("parley-changes-it");
        keyspace = CassandraNodeExtension.newMigratedKeyspace();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            new TopicProvisioner(admin, (short) 1, 3, null).provisionCatalogue();
        }
        topology = TopologyMain.start(new TopologySettings(Map.of(
                TopologySettings.BOOTSTRAP_SERVERS,
                bootstrap,
                TopologySettings.APPLICATION_ID,
                appId,
                TopologySettings.STATE_DIR,
                Files.createTempDirectory("changes-it-state").toString(),
                TopologySettings.REDIS_URL,
                RedisServerExtension.url(),
                TopologySettings.REDIS_KEY_PREFIX,
                prefix,
                TopologySettings.METRICS_PORT,
                0,
                TopologySettings.RETENTION_MIN_SECONDS,
                2)));
        connect = new EmbeddedConnect(Files.createTempDirectory("changes-it-connect"), bootstrap, FreePorts.next(), 0);
        connect.start();
        Map<String, String> sink =
                SinkDeployments.cassandraSink(CassandraNodeExtension.host() + ":" + CassandraNodeExtension.port());
        sink.put(CassandraSinkConfig.KEYSPACE, keyspace);
        connect.deploy(sink);
        Map<String, Object> s = new HashMap<>();
        s.put(EdgeSettings.EDGE_ID, "e1");
        s.put(EdgeSettings.HTTP_HOST, "127.0.0.1");
        s.put(EdgeSettings.HTTP_PORT, 0);
        s.put(EdgeSettings.BOOTSTRAP_SERVERS, bootstrap);
        s.put(EdgeSettings.REDIS_URL, RedisServerExtension.url());
        s.put(EdgeSettings.REDIS_KEY_PREFIX, prefix);
        s.put(
                EdgeSettings.CASSANDRA_CONTACT_POINT,
                CassandraNodeExtension.host() + ":" + CassandraNodeExtension.port());
        s.put(EdgeSettings.CASSANDRA_KEYSPACE, keyspace);
        s.put(EdgeSettings.JWT_SECRET, SECRET);
        s.put(EdgeSettings.TOPOLOGY_APPLICATION_ID, appId);
        s.put(EdgeSettings.REGISTRATIONS_PER_ADDRESS, 1_000);
        edge = EdgeMain.start(new EdgeSettings(s));
    }

    @AfterAll
    static void stop() throws Exception {
        if (edge != null) {
            edge.close();
        }
        if (connect != null) {
            connect.close();
        }
        if (topology != null) {
            topology.close();
        }
    }

    record User(String id, String token) {}

    record Response(int status, JsonNode body) {}

    private static Response call(String method, String path, String token, Object body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + path))
                .timeout(Duration.ofSeconds(20));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
            b.method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Response(r.statusCode(), r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body()));
    }

    private static JsonNode ok(Response r) {
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
        return r.body();
    }

    private static User user(String name) throws Exception {
        String username = name + UUID.randomUUID().toString().substring(0, 8);
        String password = "correct-horse-" + UUID.randomUUID();
        Response created = call("POST", "/v1/users", null, Map.of("username", username, "password", password));
        assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
        JsonNode token = ok(call("POST", "/v1/tokens", null, Map.of("username", username, "password", password)));
        return new User(
                created.body().path("user_id").asText(),
                token.path("access_token").asText());
    }

    private static String group(User admin, User... members) throws Exception {
        List<String> ids = new ArrayList<>();
        for (User m : members) {
            ids.add(m.id());
        }
        Response r =
                call("POST", "/v1/conversations", admin.token(), Map.of("type", "group", "name", "g", "members", ids));
        assertThat(r.status()).as(r.body().toString()).isEqualTo(201);
        return r.body().path("conversation_id").asText();
    }

    private static long send(User from, String conv, String body) throws Exception {
        return ok(call(
                        "POST",
                        "/v1/conversations/" + conv + "/messages",
                        from.token(),
                        Map.of("id", UUID.randomUUID().toString(), "body", body)))
                .path("seq")
                .asLong();
    }

    private static Response edit(User who, String conv, long seq, String body) throws Exception {
        return call(
                "PATCH",
                "/v1/conversations/" + conv + "/messages/" + seq,
                who.token(),
                Map.of("id", UUID.randomUUID().toString(), "body", body));
    }

    private static Response delete(User who, String conv, long seq) throws Exception {
        return call(
                "DELETE",
                "/v1/conversations/" + conv + "/messages/" + seq + "?id=" + UUID.randomUUID(),
                who.token(),
                null);
    }

    /** Reactions have no HTTP endpoint: over the user's socket, waiting for the answer. */
    private static void react(Frames socket, String conv, long seq, String emoji, String op) throws Exception {
        String id = UUID.randomUUID().toString();
        socket.send(Map.of("type", "react", "id", id, "conversation_id", conv, "seq", seq, "emoji", emoji, "op", op));
        JsonNode answer = socket.next(f -> f.path("id").asText().equals(id));
        assertThat(answer.path("type").asText()).as(answer.toString()).isEqualTo("ok");
    }

    /** The whole history, once {@code until} holds for it (the sink trails the topology). */
    private static Map<Long, JsonNode> history(User reader, String conv, Predicate<Map<Long, JsonNode>> until)
            throws Exception {
        return await(
                () -> {
                    Map<Long, JsonNode> bySeq = new TreeMap<>();
                    JsonNode page = ok(call(
                            "GET", "/v1/conversations/" + conv + "/messages?after=0&limit=200", reader.token(), null));
                    page.path("messages").forEach(m -> bySeq.put(m.path("seq").asLong(), m));
                    return bySeq;
                },
                until);
    }

    private static <T> T await(ThrowingSupplier<T> read, Predicate<T> until) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            T value = read.get();
            if (until.test(value) || System.nanoTime() > deadline) {
                return value;
            }
            Thread.sleep(100); // polling the sink's progress, not an assertion
        }
    }

    interface ThrowingSupplier<T> {
        T get() throws Exception;
    }

    @Test
    void shouldEditAndDeleteOverHttpAndTheSocketWithCodedRejectionsAndFramesForEveryDevice() throws Exception {
        User alice = user("alice");
        User bob = user("bob");
        User carol = user("carol");
        String conv = group(alice, bob, carol);
        long first = send(bob, conv, "helo");
        long second = send(bob, conv, "second");

        Frames bobPhone = Frames.open(edge.port(), bob.token());
        Frames bobLaptop = Frames.open(edge.port(), bob.token());
        Frames carolPhone = Frames.open(edge.port(), carol.token());

        bobPhone.send(Map.of("type", "edit", "id", "e-1", "conversation_id", conv, "seq", first, "body", "hello"));
        JsonNode okFrame = bobPhone.next(f -> f.path("id").asText().equals("e-1"));
        assertThat(okFrame.path("type").asText()).isEqualTo("ok");
        long version = okFrame.path("version").asLong();
        assertThat(version).isEqualTo(1);
        for (Frames other : List.of(bobLaptop, carolPhone)) {
            JsonNode edited = other.next(f -> f.path("type").asText().equals("message.edited"));
            assertThat(edited.path("seq").asLong()).isEqualTo(first);
            assertThat(edited.path("body").asText()).isEqualTo("hello");
            assertThat(edited.path("version").asLong()).isEqualTo(1);
            assertThat(edited.has("edited_at")).isTrue();
        }
        bobPhone.send(Map.of("type", "edit", "id", "e-1", "conversation_id", conv, "seq", first, "body", "hello"));
        JsonNode retry = bobPhone.next(f -> f.path("id").asText().equals("e-1"));
        assertThat(retry.path("type").asText()).isEqualTo("ok");
        assertThat(retry.path("version").asLong())
                .as("a retry gets the original answer")
                .isEqualTo(1);

        assertThat(edit(alice, conv, first, "not mine").status()).isEqualTo(403);
        assertThat(edit(alice, conv, first, "not mine").body().path("code").asText())
                .isEqualTo("forbidden");
        Response beyond = edit(bob, conv, 99, "none");
        assertThat(beyond.status()).isEqualTo(404);
        assertThat(beyond.body().path("code").asText()).isEqualTo("not_found");
        assertThat(edit(bob, conv, first, "").status()).isEqualTo(400);
        Response big = edit(bob, conv, first, "x".repeat(64 * 1024 + 1));
        assertThat(big.status()).isEqualTo(413);
        assertThat(big.body().path("code").asText()).isEqualTo("too_large");
        assertThat(call(
                                "PATCH",
                                "/v1/conversations/" + conv + "/messages/0",
                                bob.token(),
                                Map.of("id", "x", "body", "y"))
                        .status())
                .isEqualTo(400);

        JsonNode deleted = ok(delete(bob, conv, second));
        assertThat(deleted.path("version").asLong()).isEqualTo(2);
        JsonNode gone = carolPhone.next(f -> f.path("type").asText().equals("message.deleted"));
        assertThat(gone.path("seq").asLong()).isEqualTo(second);
        Response again = delete(bob, conv, second);
        assertThat(again.status()).isEqualTo(410);
        assertThat(again.body().path("code").asText()).isEqualTo("gone");
        assertThat(edit(bob, conv, second, "back").status()).isEqualTo(410);
        bobPhone.send(Map.of("type", "delete", "id", "d-9", "conversation_id", conv, "seq", second));
        JsonNode goneFrame = bobPhone.next(f -> f.path("id").asText().equals("d-9"));
        assertThat(goneFrame.path("code").asText()).isEqualTo("gone");
        assertThat(send(bob, conv, "third")).as("seq stays dense").isEqualTo(3);

        Map<Long, JsonNode> h = history(
                carol, conv, m -> m.size() == 3 && m.get(second).path("deleted").asBoolean());
        assertThat(h.get(first).path("body").asText()).isEqualTo("hello");
        assertThat(h.get(first).has("edited_at")).isTrue();
        assertThat(h.get(first).path("version").asLong()).isEqualTo(1);
        JsonNode tombstone = h.get(second);
        assertThat(tombstone.path("deleted").asBoolean()).isTrue();
        assertThat(tombstone.has("body")).isFalse();
        assertThat(tombstone.has("reactions")).isFalse();
        try (CqlSession cql = CassandraNodeExtension.session()) {
            var row = cql.execute(
                            "SELECT body, media FROM " + keyspace
                                    + ".messages WHERE conversation_id = ? AND bucket = 0 AND seq = ?",
                            conv,
                            second)
                    .one();
            assertThat(row.isNull("body"))
                    .as("deleted in Cassandra, not hidden")
                    .isTrue();
        }
        bobPhone.close();
        bobLaptop.close();
        carolPhone.close();
    }

    @Test
    void shouldBringAnOfflineClientToExactlyWhatHistoryShowsFromTheChangesFeedAlone() throws Exception {
        User alice = user("alice");
        User bob = user("bob");
        String conv = group(alice, bob);
        int n = 8;
        for (int i = 1; i <= n; i++) {
            send(i % 2 == 0 ? alice : bob, conv, "message " + i);
        }
        // the offline client's copy: seqs 1..N and the version it saw last
        Map<Long, JsonNode> copy = history(bob, conv, m -> m.size() == n);
        long since = copy.values().stream()
                .mapToLong(m -> m.path("version").asLong())
                .max()
                .orElse(0);

        ok(edit(bob, conv, 1, "message 1, edited"));
        ok(edit(bob, conv, 1, "message 1, edited twice"));
        ok(edit(alice, conv, 2, "message 2, edited"));
        ok(delete(alice, conv, 3)); // alice is the group's admin
        Frames aliceSocket = Frames.open(edge.port(), alice.token());
        Frames bobSocket = Frames.open(edge.port(), bob.token());
        react(aliceSocket, conv, 5, "👍", "add");
        react(bobSocket, conv, 5, "👍", "add");
        react(bobSocket, conv, 5, "🎉", "add");
        react(aliceSocket, conv, 4, "😀", "add");
        ok(delete(bob, conv, 7));
        react(bobSocket, conv, 4, "😀", "add");
        react(aliceSocket, conv, 4, "😀", "remove");
        aliceSocket.close();
        bobSocket.close();
        ok(call(
                "POST",
                "/v1/conversations/" + conv + "/members",
                alice.token(),
                Map.of("members", List.of(user("carol").id()))));
        long last = 12;

        // the feed, page by page, with a small limit so paging is exercised
        List<JsonNode> feed = await(
                () -> {
                    List<JsonNode> all = new ArrayList<>();
                    Long cursor = since;
                    while (cursor != null) {
                        JsonNode page = ok(call(
                                "GET",
                                "/v1/conversations/" + conv + "/changes?since=" + cursor + "&limit=5",
                                bob.token(),
                                null));
                        page.path("changes").forEach(all::add);
                        cursor = page.path("next").isNull()
                                ? null
                                : page.path("next").asLong();
                    }
                    return all;
                },
                all -> !all.isEmpty() && all.get(all.size() - 1).path("version").asLong() == since + last);
        assertThat(feed)
                .extracting(c -> c.path("version").asLong())
                .as("in version order, each once")
                .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(since + 1, since + last)
                        .boxed()
                        .toList());
        assertThat(feed)
                .extracting(c -> c.path("type").asText())
                .containsExactly(
                        "edited",
                        "edited",
                        "edited",
                        "deleted",
                        "reaction",
                        "reaction",
                        "reaction",
                        "reaction",
                        "deleted",
                        "reaction",
                        "reaction",
                        "members");

        for (JsonNode change : feed) {
            if (change.has("message")) {
                copy.put(change.path("seq").asLong(), change.path("message"));
            }
        }
        Map<Long, JsonNode> truth = history(
                bob, conv, m -> m.get(4L) != null && m.get(4L).path("version").asLong() == since + 11);
        assertThat(copy).isEqualTo(truth);
        assertThat(truth.get(5L).path("reactions"))
                .isEqualTo(JSON.readTree("[{\"emoji\":\"🎉\",\"users\":[\"" + bob.id()
                        + "\"]},{\"emoji\":\"👍\",\"users\":[\"" + alice.id() + "\",\"" + bob.id() + "\"]}]"));
        assertThat(truth.get(4L).path("reactions"))
                .isEqualTo(JSON.readTree("[{\"emoji\":\"😀\",\"users\":[\"" + bob.id() + "\"]}]"));

        // data teams: the conversation's committed events replayed into empty tables give the same
        // rows (edits, tombstones, reactions, members, the changes feed)
        String replayed = CassandraNodeExtension.newMigratedKeyspace();
        try (CqlSession cql = CassandraNodeExtension.session();
                EventWriter writer = new EventWriter(cql, replayed, 64, 4096)) {
            for (ConversationEvent e : committedEvents(conv)) {
                writer.write(e).join();
            }
            writer.advanceConversations().join();
            for (String table : List.of("messages", "reactions", "changes", "conversation_members")) {
                String where = List.of("messages", "reactions", "changes").contains(table) ? " AND bucket = 0" : "";
                List<String> replay = rows(cql, replayed, table, conv, where);
                // the live sink may still be writing the last events the replay read
                List<String> live = await(() -> rows(cql, keyspace, table, conv, where), replay::equals);
                assertThat(replay)
                        .as(table + " after a replay into empty tables")
                        .isNotEmpty()
                        .containsExactlyElementsOf(live);
            }
        }

        Response stranger = call(
                "GET",
                "/v1/conversations/" + conv + "/changes?since=0",
                user("mallory").token(),
                null);
        assertThat(stranger.status()).isEqualTo(403);
        assertThat(stranger.body().path("code").asText()).isEqualTo("not_member");
    }

    @Test
    void shouldLetNothingOfAnExpiredMessageBeReadAfterItsRetention() throws Exception {
        User alice = user("alice");
        User bob = user("bob");
        String conv = group(alice, bob);
        String path = "/v1/conversations/" + conv;
        assertThat(call("PUT", path, alice.token(), Map.of("retention_seconds", 1))
                        .status())
                .isEqualTo(400);
        assertThat(call("PUT", path, alice.token(), Map.of("retention_seconds", 10L * 365 * 24 * 3600 + 1))
                        .status())
                .isEqualTo(400);
        Response notAdmin = call("PUT", path, bob.token(), Map.of("retention_seconds", 3600));
        assertThat(notAdmin.status()).isEqualTo(403);
        long kept = send(bob, conv, "kept for good");
        ObjectNode on = JSON.createObjectNode().put("retention_seconds", 3);
        assertThat(ok(call("PUT", path, alice.token(), on))
                        .path("retention_seconds")
                        .asLong())
                .isEqualTo(3);
        long doomed = send(bob, conv, "disappears");
        try (Frames socket = Frames.open(edge.port(), alice.token())) {
            react(socket, conv, doomed, "👀", "add");
        }

        Map<Long, JsonNode> before = history(bob, conv, m -> m.size() == 2);
        assertThat(before.get(doomed).has("expires_at")).isTrue();
        Map<Long, JsonNode> after = history(bob, conv, m -> !m.containsKey(doomed));
        assertThat(after.keySet()).containsExactly(kept);
        Response edit = edit(bob, conv, doomed, "too late");
        assertThat(edit.status()).isEqualTo(410);
        JsonNode changes = ok(call("GET", path + "/changes?since=0&limit=200", bob.token(), null));
        JsonNode reaction = null;
        for (JsonNode c : changes.path("changes")) {
            if (c.path("seq").asLong() == doomed) {
                reaction = c;
            }
        }
        assertThat(reaction).isNotNull();
        assertThat(reaction.path("type").asText())
                .as("the feed tells clients to drop it")
                .isEqualTo("expired");
        assertThat(reaction.has("message")).isFalse();
        // the rows' TTL ends up to two seconds after expires_at (EventWriter.ttl rounds up so
        // history never hides a message its sender may still edit): wait for Cassandra to drop them
        try (CqlSession cql = CassandraNodeExtension.session()) {
            for (String table : List.of("messages", "reactions")) {
                String select = "SELECT * FROM " + keyspace + "." + table
                        + " WHERE conversation_id = ? AND bucket = 0 AND seq = ?";
                assertThat(await(() -> cql.execute(select, conv, doomed).one(), Objects::isNull))
                        .as(table + " row of the expired message")
                        .isNull();
            }
        }
    }

    @Test
    void shouldReportHistoryErasureFromTheSinksCommittedOffsets() throws Exception {
        User alice = user("alice");
        User bob = user("bob");
        String conv = group(alice, bob);
        long seq = send(bob, conv, "soon gone");
        history(bob, conv, m -> m.size() == 1);
        String erasure = "/v1/conversations/" + conv + "/messages/" + seq + "/erasure";
        assertThat(call("GET", erasure, bob.token(), null).status())
                .as("not deleted")
                .isEqualTo(404);

        String sink = "parley-cassandra-sink";
        connect.herder().pauseConnector(sink);
        await(
                () -> connect.herder().connectorStatus(sink).tasks().stream()
                        .allMatch(t -> t.state().equals("PAUSED")),
                paused -> paused);
        ok(delete(bob, conv, seq));
        JsonNode pending = ok(call("GET", erasure, bob.token(), null));
        assertThat(pending.path("history").asBoolean(true))
                .as(pending.toString())
                .isFalse();
        assertThat(pending.path("search").isNull()).isTrue();
        assertThat(pending.path("media").asBoolean(true))
                .as("media stays readable until the sink drops its uses")
                .isFalse();

        connect.herder().resumeConnector(sink);
        JsonNode applied = await(() -> ok(call("GET", erasure, bob.token(), null)), r -> r.path("history")
                .asBoolean());
        assertThat(applied.path("history").asBoolean()).as(applied.toString()).isTrue();
        assertThat(applied.path("media").asBoolean()).as(applied.toString()).isTrue();
        assertThat(history(bob, conv, m -> m.get(seq).path("deleted").asBoolean())
                        .get(seq)
                        .has("body"))
                .isFalse();
        assertThat(call("GET", erasure, user("mallory").token(), null).status()).isEqualTo(403);
    }

    private static List<String> rows(CqlSession cql, String ks, String table, String conv, String where) {
        return cql
                .execute("SELECT * FROM " + ks + "." + table + " WHERE conversation_id = ?" + where, conv)
                .all()
                .stream()
                .map(Row::getFormattedContents)
                .toList();
    }

    /** Every committed event of {@code conv} on the events topic, in order. */
    private static List<ConversationEvent> committedEvents(String conv) {
        List<ConversationEvent> out = new ArrayList<>();
        try (KafkaConsumer<String, ConversationEvent> consumer = new KafkaConsumer<>(
                Map.of(
                        "bootstrap.servers", KafkaClusterExtension.bootstrapServers(),
                        "group.id", "replay-" + UUID.randomUUID(),
                        "auto.offset.reset", "earliest",
                        "isolation.level", "read_committed",
                        "enable.auto.commit", "false"),
                new StringDeserializer(),
                new ParleySerdes().event().deserializer())) {
            consumer.subscribe(List.of(Topics.EVENTS.name()));
            long quiet = 0;
            while (quiet < 3) { // three empty polls after the end: everything committed was read
                var records = consumer.poll(Duration.ofMillis(500));
                quiet = records.isEmpty() ? quiet + 1 : 0;
                for (var r : records) {
                    if (conv.equals(r.key())) {
                        out.add(r.value());
                    }
                }
            }
        }
        return out;
    }

    /** A socket of one user, its frames in a queue. */
    static final class Frames implements WebSocket.Listener, AutoCloseable {
        private final LinkedBlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
        private final StringBuilder partial = new StringBuilder();
        private WebSocket socket;

        static Frames open(int port, String token) throws Exception {
            Frames f = new Frames();
            f.socket = HTTP.newWebSocketBuilder()
                    .header("Authorization", "Bearer " + token)
                    .buildAsync(URI.create("ws://127.0.0.1:" + port + "/v1/ws"), f)
                    .get(10, TimeUnit.SECONDS);
            return f;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    frames.add(JSON.readTree(partial.toString()));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        void send(Map<String, Object> frame) throws Exception {
            socket.sendText(JSON.writeValueAsString(frame), true).get(5, TimeUnit.SECONDS);
        }

        /** The next frame matching {@code which} within 20 s; others are skipped. */
        JsonNode next(Predicate<JsonNode> which) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline) {
                JsonNode f = frames.poll(100, TimeUnit.MILLISECONDS);
                if (f != null && which.test(f)) {
                    return f;
                }
            }
            throw new AssertionError("no matching frame within 20 s");
        }

        @Override
        public void close() {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
        }
    }
}
