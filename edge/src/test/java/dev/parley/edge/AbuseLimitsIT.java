package dev.parley.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.schema.RedisKeys;
import dev.parley.testkit.CassandraNodeExtension;
import dev.parley.testkit.ErrorLog;
import dev.parley.testkit.KafkaClusterExtension;
import dev.parley.testkit.RedisServerExtension;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import redis.clients.jedis.JedisPooled;

/**
 * Floods against a real edge with small limits (issue #14 item 2): every kind of request has a
 * rate limit, a cap or a timeout, each answered with a code, never a 500 or an ERROR line, and the
 * edge keeps serving. To add a flood, add one line to {@link #floods()}: {@code http(name, count,
 * method, path, body, code)} or {@code ws(name, count, frame, code)}; each flood runs as a fresh
 * user with a direct conversation {@code {d}}, and {@code {i}} in a path, body or frame is the
 * request's number. The flood must draw {@code code} at least once; everything it draws must be a
 * success or a coded error.
 */
@ExtendWith({KafkaClusterExtension.class, RedisServerExtension.class, CassandraNodeExtension.class})
class AbuseLimitsIT {

    private static final String LIMITED = "rate_limited";
    private static final int BURST = 10;
    private static final int PARSE_TIMEOUT_MS = 1_000;
    private static final int MAX_SUBSCRIPTIONS = 600;

    static Stream<Flood> floods() {
        return Stream.of(
                // #14 item 2: 150 HTTP sends in 0.9 s all succeeded; they now cost what socket sends cost
                http(
                        "HTTP sends",
                        60,
                        "POST",
                        "/v1/conversations/{d}/messages",
                        "{\"id\":\"h{i}\",\"body\":\"x\"}",
                        LIMITED),
                http(
                        "device registrations",
                        30,
                        "POST",
                        "/v1/devices",
                        "{\"platform\":\"fcm\",\"token\":\"t{i}\"}",
                        LIMITED),
                http(
                        "conversation creations",
                        30,
                        "POST",
                        "/v1/conversations",
                        "{\"type\":\"group\",\"name\":\"g{i}\",\"members\":[]}",
                        LIMITED),
                ws("acks", 60, "{\"type\":\"ack\",\"id\":\"a{i}\",\"conversation_id\":\"{d}\",\"seq\":1}", LIMITED),
                ws(
                        "typing",
                        60,
                        "{\"type\":\"typing\",\"id\":\"t{i}\",\"conversation_id\":\"{d}\",\"state\":\"start\"}",
                        LIMITED),
                ws("reads", 60, "{\"type\":\"read\",\"id\":\"r{i}\",\"conversation_id\":\"{d}\",\"seq\":1}", LIMITED),
                ws(
                        "presence.subscribe",
                        40,
                        "{\"type\":\"presence.subscribe\",\"id\":\"p{i}\",\"users\":[\"u_x{i}\"]}",
                        LIMITED),
                // #19: finding people by username shares the presence bucket (no listing users faster)
                http("username lookups", 40, "GET", "/v1/users?username=nobody{i}", "", LIMITED),
                // session 18: one user's presence over HTTP takes the presence.subscribe bucket too
                http("presence lookups", 40, "GET", "/v1/users/u_x{i}/presence", "", LIMITED),
                // and a device removal or a settings change (each republishes the device set) a command's
                http("device removals", 60, "DELETE", "/v1/devices/d{i}", "", LIMITED),
                http(
                        "notification settings",
                        60,
                        "PUT",
                        "/v1/notification-settings",
                        "{\"content_free\":true}",
                        LIMITED),
                // session 19: reads without a bucket of their own take one of the reads bucket
                http("history pages", 40, "GET", "/v1/conversations/{d}/messages?limit=200", "", LIMITED),
                http("changes", 40, "GET", "/v1/conversations/{d}/changes?since=0", "", LIMITED),
                http("conversation lists", 40, "GET", "/v1/conversations", "", LIMITED),
                http("member lists", 40, "GET", "/v1/conversations/{d}/members", "", LIMITED),
                http("erasure status", 40, "GET", "/v1/conversations/{d}/messages/1/erasure", "", LIMITED),
                http("media downloads", 40, "GET", "/v1/media/m_x{i}", "", LIMITED),
                http("thumbnails", 40, "GET", "/v1/media/m_x{i}/thumbnail", "", LIMITED),
                // and the requests of a tus upload under way one of the uploads bucket
                http("upload results", 40, "GET", "/v1/uploads/u{i}", "", LIMITED));
    }

    private static EdgeFixture fixture;
    private static EdgeMain.RunningEdge edge;
    private static ErrorLog log;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        log = ErrorLog.attach();
        fixture = EdgeFixture.start();
        Map<String, Object> s =
                fixture.settings("abuse-edge-" + UUID.randomUUID().toString().substring(0, 6));
        for (String[] bucket : new String[][] {
            {EdgeSettings.RATE_PER_SECOND, EdgeSettings.RATE_BURST},
            {EdgeSettings.RATE_RECEIPTS_PER_SECOND, EdgeSettings.RATE_RECEIPTS_BURST},
            {EdgeSettings.RATE_TYPING_PER_SECOND, EdgeSettings.RATE_TYPING_BURST},
            {EdgeSettings.RATE_PRESENCE_PER_SECOND, EdgeSettings.RATE_PRESENCE_BURST},
            {EdgeSettings.RATE_DEVICES_PER_SECOND, EdgeSettings.RATE_DEVICES_BURST},
            {EdgeSettings.RATE_READS_PER_SECOND, EdgeSettings.RATE_READS_BURST},
            {EdgeSettings.RATE_UPLOADS_PER_SECOND, EdgeSettings.RATE_UPLOADS_BURST}
        }) {
            s.put(bucket[0], 1.0);
            s.put(bucket[1], BURST);
        }
        s.put(EdgeSettings.DEVICES_MAX, 3);
        s.put(EdgeSettings.SOCKETS_MAX, 3);
        s.put(EdgeSettings.PRESENCE_MAX_SUBSCRIPTIONS, MAX_SUBSCRIPTIONS);
        s.put(EdgeSettings.MAX_INBOUND_QUEUE, 8);
        s.put(EdgeSettings.HTTP_REQUEST_PARSE_TIMEOUT_MS, PARSE_TIMEOUT_MS);
        s.put(EdgeSettings.HTTP_NO_REQUEST_TIMEOUT_MS, PARSE_TIMEOUT_MS);
        s.put(EdgeSettings.HTTP_BODY_TIMEOUT_MS, PARSE_TIMEOUT_MS);
        edge = fixture.edge(s);
    }

    @AfterAll
    static void stop() {
        if (fixture != null) {
            fixture.close();
        }
        log.detach();
    }

    @AfterEach
    void shouldHaveLoggedNoErrorForAFlood() {
        log.assertNoEdgeErrors();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("floods")
    void shouldLimitEveryKindOfRequest(Flood flood) throws Exception {
        TestClient attacker = user("flood");
        String direct = direct(attacker, user("peer"));
        List<String> codes = new ArrayList<>();
        if (flood.method() != null) {
            for (int i = 0; i < flood.count(); i++) {
                HttpResponse<String> response =
                        request(attacker, flood.method(), fill(flood.path(), direct, i), fill(flood.body(), direct, i));
                assertThat(response.body()).as(flood.name()).doesNotContain("Exception", "\tat ");
                if (response.statusCode() >= 300) {
                    JsonNode body = TestClient.JSON.readTree(response.body());
                    codes.add(body.path("code").asText());
                    if (response.statusCode() == 429) {
                        assertThat(response.headers().firstValue("Retry-After"))
                                .as("Retry-After of " + flood.name())
                                .hasValue("1");
                    }
                }
            }
        } else {
            try (TestClient socket = attacker.connect(edge.port())) {
                for (int i = 0; i < flood.count(); i++) {
                    socket.send(fill(flood.frame(), direct, i));
                }
                awaitLaneDrained(socket, direct).stream()
                        .filter(f -> "error".equals(f.path("type").asText()))
                        .forEach(f -> codes.add(f.path("code").asText()));
            }
        }
        assertThat(codes).as(flood.name()).contains(flood.code()).doesNotContain("internal", "");
        assertThat(TestClient.http(edge.port(), "GET", "/healthz", null, null).status())
                .as("the edge keeps serving")
                .isEqualTo(200);
    }

    /**
     * #14 item 2: 40 frames of 500 ids each gave 20,000 replies. Ids already watched get no second
     * reply, the frames are rate-limited, and a socket watches at most {@code MAX_SUBSCRIPTIONS}.
     */
    @Test
    void shouldAnswerEachWatchedUserOnceAndCapTheWatchedUsersOfASocket() throws Exception {
        TestClient watcher = user("watcher");
        String direct = direct(watcher, user("peer"));
        String first500 = ids(0, 500);
        try (TestClient socket = watcher.connect(edge.port())) {
            for (int i = 0; i < 40; i++) {
                socket.send("{\"type\":\"presence.subscribe\",\"id\":\"s" + i + "\",\"users\":[" + first500 + "]}");
            }
            List<JsonNode> answers = awaitLaneDrained(socket, direct);
            assertThat(count(answers, "presence", null))
                    .as("one presence reply per watched user")
                    .isEqualTo(500);
            assertThat(count(answers, "error", LIMITED))
                    .as("frames beyond the burst")
                    .isGreaterThanOrEqualTo(40 - BURST - 5);
        }
        // another user: the watcher's presence bucket is spent
        try (TestClient socket = user("capped").connect(edge.port())) {
            socket.send("{\"type\":\"presence.subscribe\",\"id\":\"c1\",\"users\":[" + ids(0, 500) + "]}");
            socket.send("{\"type\":\"presence.subscribe\",\"id\":\"c2\",\"users\":[" + ids(500, 1000) + "]}");
            List<JsonNode> answers = awaitLaneDrained(socket, direct);
            assertThat(answers.stream()
                            .filter(f -> "error".equals(f.path("type").asText()))
                            .map(f ->
                                    f.path("id").asText() + " " + f.path("code").asText()))
                    .startsWith("c2 too_large");
            assertThat(count(answers, "presence", null))
                    .as("watched users stop at the cap")
                    .isEqualTo(MAX_SUBSCRIPTIONS);
        }
    }

    @Test
    void shouldRefuseTheUpgradeBeyondTheSocketsOfAUserUntilOneCloses() throws Exception {
        TestClient owner = user("sockets");
        List<TestClient> open = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                open.add(owner.secondDevice(edge.port()));
            }
            awaitSessions(owner, 3);
            assertThatThrownBy(() -> owner.secondDevice(edge.port()))
                    .hasCauseInstanceOf(WebSocketHandshakeException.class)
                    .satisfies(e -> assertThat(((WebSocketHandshakeException) e.getCause())
                                    .getResponse()
                                    .statusCode())
                            .isEqualTo(429));
            TestClient.Response refused = owner.http(edge.port(), "GET", "/v1/ws", null);
            assertThat(refused.status()).isEqualTo(429);
            assertThat(refused.body().path("code").asText()).isEqualTo(LIMITED);
            open.remove(0).closeSocket();
            awaitSessions(owner, 2);
            open.add(owner.secondDevice(edge.port()));
        } finally {
            open.forEach(TestClient::close);
        }
    }

    /**
     * Session 19: a command's token is taken before anything it names is looked up. With the bucket
     * empty, a create or an add naming 1,024 users who do not exist, and a send of media that is not
     * the sender's, on either transport, are refused 429 {@code rate_limited}, not with the 404 or
     * 400 the lookups would give: none of those reads was made. Users with tokens left get the
     * lookups' answers for the same requests.
     */
    @Test
    void shouldRefuseACommandOverItsBucketBeforeLookingUpWhatItNames() throws Exception {
        Map<String, Object> s =
                fixture.settings("slow-edge-" + UUID.randomUUID().toString().substring(0, 6));
        // two tokens, then one every 10 s: spent right before each probe, the bucket stays empty for it
        s.put(EdgeSettings.RATE_PER_SECOND, 0.1);
        s.put(EdgeSettings.RATE_BURST, 2);
        int port = fixture.edge(s).port();
        int maxBody = new EdgeSettings(s).getInt(EdgeSettings.MAX_BODY_BYTES);
        int maxMedia = new EdgeSettings(s).getInt(EdgeSettings.MEDIA_MAX_PER_MESSAGE);
        TestClient spent =
                TestClient.register(port, "spent" + UUID.randomUUID().toString().substring(0, 8));
        // no topology answer is needed: every probe is answered by the edge, before anything is produced
        String group = "g_" + UUID.randomUUID().toString().replace("-", "");
        String strangers = "{\"members\":["
                + IntStream.range(0, 1_024)
                        .mapToObj(i -> "\"u_nobody" + i + "\"")
                        .collect(Collectors.joining(",")) + "]}";
        String create = "{\"type\":\"group\",\"name\":\"g\"," + strangers.substring(1);
        String foreignMedia = "{\"id\":\"m2\",\"body\":\"hi\",\"media\":[\"m_1\"]}";
        String members = "/v1/conversations/" + group + "/members";
        String messages = "/v1/conversations/" + group + "/messages";
        Map<String, java.util.concurrent.Callable<TestClient.Response>> probes = new java.util.LinkedHashMap<>();
        probes.put("create naming 1,024 strangers", () -> spent.http(port, "POST", "/v1/conversations", create));
        probes.put("add of 1,024 strangers", () -> spent.http(port, "POST", members, strangers));
        probes.put("send of media not the sender's", () -> spent.http(port, "POST", messages, foreignMedia));
        // a token may still arrive between the spending and the probe (one in 10 s): up to three tries
        // each, where a lookup before the token would answer 404 or 400 every time
        for (var probe : probes.entrySet()) {
            List<String> answers = new ArrayList<>();
            for (int attempt = 0; attempt < 3 && !answers.contains("429 " + LIMITED); attempt++) {
                spendCommands(spent, port, messages, maxBody, maxMedia);
                TestClient.Response answer = probe.getValue().call();
                answers.add(answer.status() + " " + answer.body().path("code").asText());
            }
            assertThat(answers).as(probe.getKey()).contains("429 " + LIMITED);
        }
        try (TestClient socket = spent.connect(port)) {
            List<String> codes = new ArrayList<>();
            for (int attempt = 0; attempt < 3 && !codes.contains(LIMITED); attempt++) {
                spendCommands(spent, port, messages, maxBody, maxMedia);
                socket.send("{\"type\":\"send\",\"id\":\"w" + attempt + "\",\"conversation_id\":\"" + group
                        + "\",\"body\":\"hi\",\"media\":[\"m_1\"]}");
                codes.add(socket.awaitType("error", "w" + attempt).path("code").asText());
            }
            assertThat(codes).as("socket send of media not the sender's").contains(LIMITED);
        }
        // two fresh users, two tokens each: the same requests get what their lookups find
        TestClient fresh =
                TestClient.register(port, "fresh" + UUID.randomUUID().toString().substring(0, 8));
        TestClient other =
                TestClient.register(port, "other" + UUID.randomUUID().toString().substring(0, 8));
        TestClient.Response unknown = fresh.http(port, "POST", "/v1/conversations", create);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.body().path("code").asText()).isEqualTo("not_found");
        TestClient.Response foreign = fresh.http(port, "POST", messages, foreignMedia);
        assertThat(foreign.status()).isEqualTo(400);
        assertThat(foreign.body().path("code").asText()).isEqualTo("bad_request");
        TestClient.Response unknownAdded = other.http(port, "POST", members, strangers);
        assertThat(unknownAdded.status()).isEqualTo(404);
        try (TestClient socket = other.connect(port)) {
            socket.send("{\"type\":\"send\",\"id\":\"x1\",\"conversation_id\":\"" + group
                    + "\",\"body\":\"hi\",\"media\":[\"m_1\"]}");
            assertThat(socket.awaitType("error", "x1").path("code").asText()).isEqualTo("bad_request");
        }
    }

    /**
     * Spends {@code user}'s commands bucket: device removals each cost a token (and answer 200, no
     * topology involved), until one is refused 429. A send refused for its shape costs none, and is
     * answered for its shape even when the bucket is already empty (every call after the first).
     */
    private static void spendCommands(TestClient user, int port, String messages, int maxBody, int maxMedia)
            throws Exception {
        String oversize = "{\"id\":\"o\",\"body\":\"" + "x".repeat(maxBody + 1) + "\"}";
        assertThat(user.http(port, "POST", messages, oversize).status())
                .as("a body one byte over max.body.bytes, refused before its token")
                .isEqualTo(413);
        // one id more than media.max.per.message, none uploaded: refused for the count, not looked up
        String tooMany = "{\"id\":\"o\",\"body\":\"hi\",\"media\":["
                + IntStream.rangeClosed(0, maxMedia)
                        .mapToObj(i -> "\"m_" + i + "\"")
                        .collect(Collectors.joining(",")) + "]}";
        TestClient.Response counted = user.http(port, "POST", messages, tooMany);
        assertThat(counted.status() + " " + counted.body().path("message").asText())
                .as("media.max.per.message + 1 ids, refused before the token")
                .isEqualTo("400 at most " + maxMedia + " media per message");
        TestClient.Response zone = user.http(port, "PUT", "/v1/notification-settings", "{\"time_zone\":\"Mars/Base\"}");
        assertThat(zone.status() + " " + zone.body().path("message").asText())
                .as("a settings change naming an unknown zone, refused before the token")
                .isEqualTo("400 unknown time_zone Mars/Base");
        for (int i = 0; i < 10; i++) {
            TestClient.Response r = user.http(port, "DELETE", "/v1/devices/d_spent" + i, null);
            if (r.status() == 429) {
                return;
            }
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
        }
        throw new AssertionError("the commands bucket of " + user.userId + " did not run out");
    }

    /**
     * Session 19: the HEAD and PATCH requests of a tus upload take a token of the uploads bucket (10
     * here), so a client cannot ask for an offset or push empty chunks without end. A HEAD answer has
     * no body: only the status and {@code Retry-After} tell.
     */
    @Test
    void shouldLimitTheOffsetAndChunkRequestsOfAnUpload() throws Exception {
        for (String method : List.of("HEAD", "PATCH")) {
            TestClient uploader = user("tus");
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                HttpResponse<String> response = HTTP.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + "/v1/uploads/u_" + i))
                                .timeout(Duration.ofSeconds(15))
                                .header("Authorization", "Bearer " + uploader.token)
                                .header("Tus-Resumable", "1.0.0")
                                .header("Content-Type", "application/offset+octet-stream")
                                .header("Upload-Offset", "0")
                                .method(method, HttpRequest.BodyPublishers.ofString(method.equals("PATCH") ? "x" : ""))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                statuses.add(response.statusCode());
                if (response.statusCode() == 429) {
                    assertThat(response.headers().firstValue("Retry-After"))
                            .as(method)
                            .hasValue("1");
                }
            }
            // nobody has these uploads: 404 until the bucket is spent, then 429
            assertThat(statuses).as(method).contains(404, 429).containsOnly(404, 429);
            assertThat(statuses.indexOf(429)).as(method).isGreaterThanOrEqualTo(BURST);
        }
    }

    /**
     * Session 19: the reads and the uploads buckets are apart, so a page that spent its reads on
     * thumbnails can still send an upload's chunks, and an upload does not starve the page.
     */
    @Test
    void shouldKeepTheReadsAndTheUploadsBucketsApart() throws Exception {
        TestClient reader = user("reader");
        spend(reader, "/v1/conversations");
        assertThat(request(reader, "GET", "/v1/uploads/u_nobody", "").statusCode())
                .as("an upload's status after the reads are spent")
                .isEqualTo(404);
        TestClient uploader = user("uploader");
        spend(uploader, "/v1/uploads/u_nobody");
        assertThat(request(uploader, "GET", "/v1/conversations", "").statusCode())
                .as("the conversation list after the uploads are spent")
                .isEqualTo(200);
    }

    /** GETs {@code path} until one is answered 429: that request's bucket is empty. */
    private static void spend(TestClient user, String path) throws Exception {
        for (int i = 0; i < 4 * BURST; i++) {
            if (request(user, "GET", path, "").statusCode() == 429) {
                return;
            }
        }
        throw new AssertionError("the bucket of GET " + path + " did not run out");
    }

    /** Waits until the user's sockets are counted (registered on their lanes after the upgrade). */
    private static void awaitSessions(TestClient user, long count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        String sessions = new RedisKeys(fixture.redisPrefix).sessions(user.userId);
        try (JedisPooled redis = new JedisPooled("127.0.0.1", RedisServerExtension.port())) {
            while (redis.hlen(sessions) != count) {
                assertThat(System.nanoTime()).as("sessions of " + user.userId).isLessThan(deadline);
                Thread.sleep(50);
            }
        }
    }

    @Test
    void shouldCapTheDevicesOfAUserButLetOneBeRegisteredAgain() throws Exception {
        TestClient owner = user("devices");
        for (int i = 0; i < 3; i++) {
            assertThat(request(owner, "POST", "/v1/devices", device("dev" + i)).statusCode())
                    .isEqualTo(201);
        }
        HttpResponse<String> fourth = request(owner, "POST", "/v1/devices", device("dev3"));
        assertThat(fourth.statusCode()).isEqualTo(409);
        assertThat(TestClient.JSON.readTree(fourth.body()).path("code").asText())
                .isEqualTo("conflict");
        assertThat(request(owner, "POST", "/v1/devices", device("dev0")).statusCode())
                .as("re-registering a device is no new device")
                .isEqualTo(201);
    }

    /**
     * A client writing frames faster than they are handled: with 8 frames waiting the edge stops
     * reading its socket until they drain, and still answers every frame, in order; another client
     * is served meanwhile.
     */
    @Test
    void shouldAnswerEveryFrameOfAFloodWhileReadsArePausedAndServeOthers() throws Exception {
        TestClient flooder = user("flooder");
        String direct = direct(flooder, user("peer"));
        int frames = 2_000;
        try (TestClient socket = flooder.connect(edge.port());
                TestClient other = user("other").connect(edge.port())) {
            for (int i = 0; i < frames; i++) {
                // refused on the lane (over the bucket, or for media not available): each answered there
                socket.send("{\"type\":\"send\",\"id\":\"f" + i + "\",\"conversation_id\":\"" + direct
                        + "\",\"body\":\"x\",\"media\":[\"m_1\"]}");
            }
            other.send("{\"type\":\"ping\",\"id\":\"meanwhile\"}");
            assertThat(other.awaitType("pong", "meanwhile")).isNotNull();
            String last = "f" + (frames - 1);
            List<String> answered = socket
                    .awaitAllUntil(f -> last.equals(f.path("id").asText()))
                    .stream()
                    .filter(f -> "error".equals(f.path("type").asText()))
                    .map(f -> f.path("id").asText())
                    .collect(Collectors.toList());
            assertThat(answered)
                    .containsExactlyElementsOf(
                            IntStream.range(0, frames).mapToObj(i -> "f" + i).collect(Collectors.toList()));
        }
    }

    /**
     * #14 item 2: 20 of 20 connections sending half a request were held for 79 s. Now each is closed
     * once {@code http.request.parse.timeout.ms} passes, as is one that sends nothing ({@code
     * http.no.request.timeout.ms}), while a normal client and an open socket are served.
     */
    @Test
    void shouldCloseSlowAndSilentConnectionsAndKeepServingOthers() throws Exception {
        TestClient user = user("patient");
        try (TestClient socket = user.connect(edge.port())) {
            List<Socket> slow = new ArrayList<>();
            try {
                for (int i = 0; i < 20; i++) {
                    Socket s = new Socket("127.0.0.1", edge.port());
                    s.getOutputStream()
                            .write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
                                    .getBytes(StandardCharsets.US_ASCII));
                    s.getOutputStream().flush();
                    slow.add(s);
                }
                Socket silent = new Socket("127.0.0.1", edge.port());
                slow.add(silent);
                assertThat(TestClient.http(edge.port(), "GET", "/healthz", null, null)
                                .status())
                        .as("a normal client is served while they hang")
                        .isEqualTo(200);
                for (Socket s : slow) {
                    assertThat(closedByEdge(s))
                            .as("connection closed by the edge")
                            .isTrue();
                }
            } finally {
                for (Socket s : slow) {
                    s.close();
                }
            }
            socket.send("{\"type\":\"ping\",\"id\":\"after\"}");
            assertThat(socket.awaitType("pong", "after"))
                    .as("an open WebSocket is not a slow request")
                    .isNotNull();
        }
    }

    /**
     * A body trickled slowly held an API thread for as long as the client liked: now it is answered
     * bad_request once {@code http.body.timeout.ms} passes, and its connection closed.
     */
    @Test
    void shouldAnswerABodyThatStopsArrivingAndCloseItsConnection() throws Exception {
        TestClient user = user("trickle");
        List<Socket> slow = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                Socket s = new Socket("127.0.0.1", edge.port());
                s.getOutputStream()
                        .write(("POST /v1/conversations HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                                        + user.token
                                        + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"type\":")
                                .getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                slow.add(s);
            }
            for (Socket s : slow) {
                s.setSoTimeout(30_000);
                String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                assertThat(answer)
                        .startsWith("HTTP/1.1 400")
                        .contains("bad_request")
                        .doesNotContain("Exception");
            }
        } finally {
            for (Socket s : slow) {
                s.close();
            }
        }
        assertThat(TestClient.http(edge.port(), "GET", "/healthz", null, null).status())
                .isEqualTo(200);
    }

    /** Reads until the edge closes the connection (end of stream or reset); false after 30 s. */
    private static boolean closedByEdge(Socket socket) throws IOException {
        socket.setSoTimeout(30_000);
        InputStream in = socket.getInputStream();
        try {
            while (in.read() != -1) {
                // an error response (408) may come first: read past it
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    /**
     * Frames are handled on the socket's lane in order: once a frame sent last is answered there,
     * every answer to the flood before it has arrived. This one is refused on the lane at once (for
     * its media, or over the commands bucket).
     */
    private static List<JsonNode> awaitLaneDrained(TestClient socket, String direct) throws InterruptedException {
        String id = "end-" + UUID.randomUUID().toString().substring(0, 8);
        socket.send("{\"type\":\"send\",\"id\":\"" + id + "\",\"conversation_id\":\"" + direct
                + "\",\"body\":\"x\",\"media\":[\"m_1\"]}");
        List<JsonNode> answers =
                socket.awaitAllUntil(f -> "error".equals(f.path("type").asText())
                        && id.equals(f.path("id").asText()));
        return answers.subList(0, answers.size() - 1);
    }

    private static long count(List<JsonNode> frames, String type, String code) {
        return frames.stream()
                .filter(f -> type.equals(f.path("type").asText()))
                .filter(f -> code == null || code.equals(f.path("code").asText()))
                .count();
    }

    private static String ids(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> "\"u_w" + i + "\"").collect(Collectors.joining(","));
    }

    private static String device(String id) {
        return "{\"platform\":\"fcm\",\"device_id\":\"" + id + "\",\"token\":\"tok-" + id + "\"}";
    }

    private static TestClient user(String name) throws Exception {
        return TestClient.register(
                edge.port(), name + UUID.randomUUID().toString().substring(0, 8));
    }

    private static String direct(TestClient a, TestClient b) throws Exception {
        TestClient.Response created = a.http(
                edge.port(), "POST", "/v1/conversations", "{\"type\":\"direct\",\"members\":[\"" + b.userId + "\"]}");
        return created.body().get("conversation_id").asText();
    }

    private static HttpResponse<String> request(TestClient client, String method, String path, String body)
            throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + path))
                        .timeout(Duration.ofSeconds(15))
                        .header("Authorization", "Bearer " + client.token)
                        .header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String fill(String template, String direct, int i) {
        return template == null ? null : template.replace("{d}", direct).replace("{i}", Integer.toString(i));
    }

    record Flood(String name, int count, String method, String path, String body, String frame, String code) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Flood http(String name, int count, String method, String path, String body, String code) {
        return new Flood(name, count, method, path, body, null, code);
    }

    static Flood ws(String name, int count, String frame, String code) {
        return new Flood(name, count, null, null, null, frame, code);
    }
}
