package dev.parley.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.edge.auth.TokenService;
import dev.parley.schema.Command;
import dev.parley.schema.ConversationIds;
import dev.parley.schema.Origin;
import dev.parley.schema.ParleySerdes;
import dev.parley.schema.SendMessage;
import dev.parley.schema.Topics;
import dev.parley.testkit.CassandraNodeExtension;
import dev.parley.testkit.ErrorLog;
import dev.parley.testkit.KafkaClusterExtension;
import dev.parley.testkit.RedisServerExtension;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile and broken input against a real edge (real Kafka, Redis, Cassandra and topology): every
 * attack gets a coded answer, never a 500 or a stack trace, the edge logs no ERROR for it, and the
 * edge keeps serving. To add an attack, add one line to {@link #attacks()}: {@code http(name,
 * method, path, body, status, code)} or {@code ws(name, frame, code)} / {@code wsClosed(name, frame,
 * code, closeCode)}. In paths and bodies {@code {c}} is a conversation of the attacker holding one
 * message, {@code {d}} a direct conversation of the attacker; {@code {bodyAtLimit}} / {@code
 * {bodyOverLimit}} are bodies whose send command (client ids of two characters, to {@code {d}})
 * encodes to exactly {@code commands.max.bytes} and one byte more; {@code {theirs}} is bob and carol's direct
 * conversation (the attacker is alice), {@code {nobody}} a direct id nobody created, {@code {bob}} bob's id.
 */
@ExtendWith({KafkaClusterExtension.class, RedisServerExtension.class, CassandraNodeExtension.class})
class AttackSuiteIT {

    private static final int FRAME_LIMIT = 131_072;
    private static final int BODY_LIMIT = 65_536;
    private static final int COMMAND_LIMIT = 16_384;
    private static final String MESSAGES = "/v1/conversations/{c}/messages";
    private static final String CONVERSATIONS = "/v1/conversations";
    private static final String DIRECT = "/v1/conversations/{d}/messages";
    private static final String BAD = "bad_request";
    private static final String TOO_LARGE = "too_large";
    private static final String JSON = "application/json";
    private static final String MAX_SEQ_PLUS_2_64 = "18446744073709551617";
    private static final String NOT_MEMBER = "not_member";
    private static final String THEIRS = "/v1/conversations/{theirs}";
    private static final String NOBODY = "/v1/conversations/{nobody}";
    private static final String REACTION = ",\"seq\":1,\"emoji\":\"x\",\"op\":\"add\"";

    static Stream<Case> attacks() {
        return Stream.of(
                // history cursors (#13 item 3): clamped to the last seq, overflow refused
                history("before at 2^63-1", "?before=9223372036854775807", 400, BAD),
                history("after at 2^63-1", "?after=9223372036854775807", 400, BAD),
                history("before beyond 2^64", "?before=99999999999999999999", 400, BAD),
                history("after one above 2^53", "?after=9007199254740993", 400, BAD),
                history("before at 2^53 is clamped", "?before=9007199254740992", 200, null),
                history("before far past the end is clamped", "?before=3000000", 200, null),
                history("after far past the end is empty", "?after=3000000", 200, null),
                history("negative cursor", "?before=-1", 400, BAD),
                history("cursor in exponent notation", "?after=1e9", 400, BAD),
                history("cursor with a sign", "?after=+1", 400, BAD),
                history("limit zero", "?limit=0", 400, BAD),
                // media and command size (#13 item 2)
                post("media over http", MESSAGES, message("h1", "hi", "[\"m_1\"]"), 400, BAD),
                post("media not a list over http", MESSAGES, message("h2", "hi", "\"m_1\""), 400, BAD),
                post(
                        "reply_to a string over http",
                        MESSAGES,
                        "{\"id\":\"h7\",\"body\":\"hi\",\"reply_to\":\"1\"}",
                        400,
                        BAD),
                post("reply_to 0 over http", MESSAGES, "{\"id\":\"h8\",\"body\":\"hi\",\"reply_to\":0}", 400, BAD),
                post("body over limit, http", MESSAGES, message("h3", body(BODY_LIMIT + 1), null), 413, TOO_LARGE),
                post("command at commands.max.bytes", DIRECT, message("h4", "{bodyAtLimit}", null), 200, null),
                post("command 1 byte over the bound", DIRECT, message("h5", "{bodyOverLimit}", null), 413, TOO_LARGE),
                post("request body over 256 KiB", CONVERSATIONS, group(body(300_000)), 413, TOO_LARGE),
                // shape
                post("malformed JSON over http", CONVERSATIONS, "{nope", 400, BAD),
                get("unknown endpoint", "/v1/teleport", 404, "not_found"),
                // tokens (#14 item 5): a token in a URL leaks into logs; only the socket upgrade takes one
                anonymous(
                        "access_token on the API", "GET", CONVERSATIONS + "?access_token={token}", 401, "unauthorized"),
                anonymous("history with access_token", "GET", MESSAGES + "?access_token={token}", 401, "unauthorized"),
                ws("media refused", send("w1", "hi", "[\"m_1\"]"), BAD),
                ws("30 media ids of 4 KB", send("w2", "hi", mediaIds(30, 4000)), BAD),
                ws("body one byte over the limit", send("w3", body(BODY_LIMIT + 1), null), TOO_LARGE),
                ws("malformed JSON", "{not json", BAD),
                // validation (#14): refused, never coerced, wrapped or stored as something else
                postTyped(
                        "form-encoded body",
                        CONVERSATIONS,
                        "application/x-www-form-urlencoded",
                        group("f"),
                        415,
                        "unsupported_media_type"),
                postTyped(
                        "text/plain body (no CORS preflight)",
                        CONVERSATIONS,
                        "text/plain",
                        group("f"),
                        415,
                        "unsupported_media_type"),
                postTyped("no Content-Type", CONVERSATIONS, null, group("f"), 415, "unsupported_media_type"),
                postTyped(
                        "JSON with a charset",
                        CONVERSATIONS,
                        "application/json; charset=utf-8",
                        group("ok"),
                        201,
                        null),
                post("member id with U+001F", CONVERSATIONS, members("u_a\\u001fb"), 400, BAD),
                post("member id with NUL", CONVERSATIONS, members("u_a\\u0000b"), 400, BAD),
                post(
                        "member id of 200 KB (over Cassandra's key limit)",
                        CONVERSATIONS,
                        members(body(200_000)),
                        400,
                        BAD),
                post("1,025 members", CONVERSATIONS, members(ids(1025)), 400, BAD),
                // ids in paths follow the id rule too (session 18): refused before anything is looked up
                http("removed member id with U+001F", "DELETE", CONVERSATIONS + "/{c}/members/u_a%1Fb", null, 400, BAD),
                // at the limit the edge lets it through: the topology answers, as for any id of a stranger
                http(
                        "removed member id of 128 characters",
                        "DELETE",
                        CONVERSATIONS + "/{c}/members/" + "u".repeat(128),
                        null,
                        403,
                        NOT_MEMBER),
                http(
                        "removed member id of 129 characters",
                        "DELETE",
                        CONVERSATIONS + "/{c}/members/" + "u".repeat(129),
                        null,
                        400,
                        BAD),
                get("presence of an id with U+001F", "/v1/users/u_a%1Fb/presence", 400, BAD),
                get(
                        "presence of an id of 128 characters",
                        "/v1/users/" + "u".repeat(128) + "/presence",
                        404,
                        "not_found"),
                get("presence of an id of 129 characters", "/v1/users/" + "u".repeat(129) + "/presence", 400, BAD),
                http("device id of 128 characters", "DELETE", "/v1/devices/" + "d".repeat(128), null, 200, null),
                http("device id of 129 characters", "DELETE", "/v1/devices/" + "d".repeat(129), null, 400, BAD),
                post("registered device id of 128 characters", "/v1/devices", device("r".repeat(128)), 201, null),
                post("registered device id of 129 characters", "/v1/devices", device("r".repeat(129)), 400, BAD),
                post("registered device id with U+001F", "/v1/devices", device("r\\u001Fs"), 400, BAD),
                post("group name with a bidi override", CONVERSATIONS, group("evil\\u202Egnp.exe"), 400, BAD),
                post("lone surrogate in a body over http", MESSAGES, message("h6", "a\\ud800b", null), 400, BAD),
                post("client id with a control character", MESSAGES, message("h\\u0007", "hi", null), 400, BAD),
                post(
                        "display name with a bidi override",
                        "/v1/users",
                        "{\"username\":\"mallory\",\"password\":\"correct horse\",\"display_name\":\"\\u202Eecila\"}",
                        400,
                        BAD),
                http(
                        "content_free as a string",
                        "PUT",
                        "/v1/notification-settings",
                        "{\"content_free\":\"yes\"}",
                        400,
                        BAD),
                http(
                        "quiet hours as a fraction",
                        "PUT",
                        "/v1/notification-settings",
                        "{\"quiet_start_minute\":1.5}",
                        400,
                        BAD),
                ws("lone surrogate in a body", send("w8", "a\\udc00b", null), BAD),
                ws(
                        "read seq 2^64 + 1 (would wrap to 1)",
                        "{\"type\":\"read\",\"id\":\"w9\",\"conversation_id\":\"d_attack\",\"seq\":" + MAX_SEQ_PLUS_2_64
                                + "}",
                        BAD),
                ws(
                        "reply_to 2^64 + 1",
                        "{\"type\":\"send\",\"id\":\"w10\",\"conversation_id\":\"d_attack\",\"body\":\"x\",\"reply_to\":"
                                + MAX_SEQ_PLUS_2_64 + "}",
                        BAD),
                ws(
                        "seq as a string",
                        "{\"type\":\"read\",\"id\":\"w11\",\"conversation_id\":\"d_attack\",\"seq\":\"3\"}",
                        BAD),
                ws(
                        "seq as a fraction",
                        "{\"type\":\"read\",\"id\":\"w12\",\"conversation_id\":\"d_attack\",\"seq\":1.5}",
                        BAD),
                ws("frame id with a control character", "{\"type\":\"ping\",\"id\":\"p\\u0007\"}", BAD),
                ws(
                        "presence id with U+001F",
                        "{\"type\":\"presence.subscribe\",\"id\":\"w13\",\"users\":[\"u_a\\u001fb\"]}",
                        BAD),
                // #14 item 2: ids per presence frame are capped (floods of frames: AbuseLimitsIT)
                ws(
                        "presence.subscribe of 501 ids",
                        "{\"type\":\"presence.subscribe\",\"id\":\"w14\",\"users\":[" + "\"u_x\",".repeat(500)
                                + "\"u_x\"]}",
                        BAD),
                ws("unknown type", "{\"type\":\"teleport\",\"id\":\"w4\"}", BAD),
                ws(
                        "negative reply_to",
                        "{\"type\":\"send\",\"id\":\"w5\",\"conversation_id\":\"d_1\",\"reply_to\":-3}",
                        BAD),
                // frame size (#13 item 4): at the limit it is read; one byte more is refused unbuffered
                ws("text frame at the limit", padded("{\"type\":\"ping\",\"id\":\"w6\"", FRAME_LIMIT), "pong"),
                wsClosed(
                        "text frame limit + 1",
                        padded("{\"id\":\"w7\",\"type\":\"ping\"", FRAME_LIMIT + 1),
                        TOO_LARGE,
                        1009),
                wsClosed("oversized, id late", padded("{\"type\":\"ping\"", FRAME_LIMIT + 1), TOO_LARGE, 1009),
                wsClosed("binary frame", Case.BINARY + "0123456789", null, 1003),
                // direct ids are computable (#14 item 3): probing bob and carol's conversation ({theirs}) answers
                // exactly as probing one that does not exist ({nobody}), so no code tells whether the two talk
                post("send to others' direct", THEIRS + "/messages", message("p1", "hi", null), 403, NOT_MEMBER),
                post("send to a missing direct", NOBODY + "/messages", message("p2", "hi", null), 403, NOT_MEMBER),
                get("history of others' direct", THEIRS + "/messages", 403, NOT_MEMBER),
                get("history of a missing direct", NOBODY + "/messages", 403, NOT_MEMBER),
                post("add to others' direct", THEIRS + "/members", "{\"members\":[\"{bob}\"]}", 403, NOT_MEMBER),
                post("add to a missing direct", NOBODY + "/members", "{\"members\":[\"{bob}\"]}", 403, NOT_MEMBER),
                http("remove from others' direct", "DELETE", THEIRS + "/members/{bob}", null, 403, NOT_MEMBER),
                http("remove from a missing direct", "DELETE", NOBODY + "/members/{bob}", null, 403, NOT_MEMBER),
                ws("ws send to others' direct", probe("send", "{theirs}", ",\"body\":\"hi\""), NOT_MEMBER),
                ws("ws send to a missing direct", probe("send", "{nobody}", ",\"body\":\"hi\""), NOT_MEMBER),
                ws("read of others' direct", probe("read", "{theirs}", ",\"seq\":1"), NOT_MEMBER),
                ws("read of a missing direct", probe("read", "{nobody}", ",\"seq\":1"), NOT_MEMBER),
                ws("react in others' direct", probe("react", "{theirs}", REACTION), NOT_MEMBER),
                ws("react in a missing direct", probe("react", "{nobody}", REACTION), NOT_MEMBER));
        // typing gets no answer either way (fire and forget), so it tells nothing
    }

    private static EdgeFixture fixture;
    private static EdgeMain.RunningEdge edge;
    private static TestClient alice;
    private static TestClient bob;
    private static final Map<String, String> vars = new HashMap<>();
    private static ErrorLog log;

    @BeforeAll
    static void start() throws Exception {
        log = ErrorLog.attach();
        fixture = EdgeFixture.start();
        String edgeId = "attack-edge-" + UUID.randomUUID().toString().substring(0, 6);
        Map<String, Object> s = fixture.settings(edgeId);
        s.put(EdgeSettings.MAX_FRAME_BYTES, FRAME_LIMIT);
        s.put(EdgeSettings.MAX_BODY_BYTES, BODY_LIMIT);
        s.put(EdgeSettings.MAX_COMMAND_BYTES, COMMAND_LIMIT);
        s.put(EdgeSettings.RATE_PER_SECOND, 10_000.0);
        s.put(EdgeSettings.RATE_BURST, 10_000);
        s.put(EdgeSettings.HISTORY_MAX_BUCKETS, 2);
        edge = fixture.edge(s);
        alice = TestClient.register(
                edge.port(), "alice" + UUID.randomUUID().toString().substring(0, 8));
        bob = TestClient.register(
                edge.port(), "bob" + UUID.randomUUID().toString().substring(0, 8));
        String conversation =
                "g_attack_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        fixture.seedHistory(conversation, alice.userId, 1, 0);
        vars.put("{c}", conversation);
        vars.put("{token}", alice.token);
        TestClient.Response direct = alice.http(
                edge.port(), "POST", CONVERSATIONS, "{\"type\":\"direct\",\"members\":[\"" + bob.userId + "\"]}");
        vars.put("{d}", direct.body().get("conversation_id").asText());
        TestClient carol = TestClient.register(
                edge.port(), "carol" + UUID.randomUUID().toString().substring(0, 8));
        TestClient.Response theirs = carol.http(
                edge.port(), "POST", CONVERSATIONS, "{\"type\":\"direct\",\"members\":[\"" + bob.userId + "\"]}");
        vars.put("{theirs}", theirs.body().get("conversation_id").asText());
        vars.put("{nobody}", ConversationIds.direct(bob.userId, "u_nobody" + UUID.randomUUID()));
        vars.put("{bob}", bob.userId);
        int atLimit = bodyLength(edgeId, vars.get("{d}"), alice.userId, COMMAND_LIMIT);
        vars.put("{bodyAtLimit}", body(atLimit));
        vars.put("{bodyOverLimit}", body(atLimit + 1));
    }

    @AfterAll
    static void stop() {
        if (fixture != null) {
            fixture.close();
        }
        log.detach();
    }

    @AfterEach
    void shouldHaveLoggedNoErrorForBadInput() {
        log.assertNoEdgeErrors();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("attacks")
    void shouldAnswerEveryAttackWithACodeAndKeepServing(Case attack) throws Exception {
        if (attack.method() != null) {
            TestClient.Response response = attack.anonymous()
                    ? TestClient.http(edge.port(), attack.method(), fill(attack.path()), null, null)
                    : TestClient.http(
                            edge.port(),
                            attack.method(),
                            fill(attack.path()),
                            alice.token,
                            fill(attack.body()),
                            attack.contentType());
            assertThat(response.status()).as(attack.name() + ": " + response).isEqualTo(attack.status());
            if (attack.code() != null) {
                assertThat(response.body().path("code").asText())
                        .as(attack.name())
                        .isEqualTo(attack.code());
            }
            assertNoStackTrace(response.body().toString());
        } else {
            try (TestClient socket = alice.secondDevice(edge.port())) {
                if (attack.frame().startsWith(Case.BINARY)) {
                    socket.sendBinary(
                            attack.frame().substring(Case.BINARY.length()).getBytes(StandardCharsets.UTF_8));
                } else {
                    socket.send(fill(attack.frame()));
                }
                if (attack.code() != null) {
                    JsonNode answer = socket.await(f ->
                            List.of("error", "pong").contains(f.path("type").asText()));
                    assertNoStackTrace(answer.toString());
                    assertThat(
                                    "pong".equals(attack.code())
                                            ? answer.path("type").asText()
                                            : answer.path("code").asText())
                            .as(attack.name() + ": " + answer)
                            .isEqualTo(attack.code());
                    String id = frameId(attack.frame());
                    if (id != null && attack.frame().startsWith("{\"id\"")) {
                        assertThat(answer.path("id").asText())
                                .as("the frame's id is echoed")
                                .isEqualTo(id);
                    }
                }
                if (attack.closeCode() != 0) {
                    assertThat(socket.awaitClose()).as(attack.name()).isEqualTo(attack.closeCode());
                } else {
                    socket.send("{\"type\":\"ping\",\"id\":\"still-open\"}");
                    assertThat(socket.awaitType("pong", "still-open"))
                            .as("the socket stays open")
                            .isNotNull();
                }
            }
        }
    }

    @Test
    void shouldCloseASocketWhenItsTokenExpires() throws Exception {
        String shortLived = new TokenService(
                        (String) fixture.settings("any").get(EdgeSettings.JWT_SECRET),
                        "parley",
                        Duration.ofSeconds(2),
                        Clock.systemUTC())
                .issue(alice.userId);
        try (TestClient socket = new TestClient(alice.userId, shortLived).connect(edge.port())) {
            JsonNode error = socket.await(f -> "error".equals(f.path("type").asText()));
            assertThat(error.path("code").asText()).isEqualTo("unauthorized");
            assertThat(socket.awaitClose()).isEqualTo(1008);
        }
    }

    @Test
    void shouldTakeAQueryTokenOnTheSocketUpgrade() throws Exception {
        try (TestClient browser = new TestClient(alice.userId, alice.token).connectWithQueryToken(edge.port())) {
            browser.send("{\"type\":\"ping\",\"id\":\"q1\"}");
            assertThat(browser.await(f -> "pong".equals(f.path("type").asText()))
                            .path("id")
                            .asText())
                    .isEqualTo("q1");
        }
    }

    @Test
    void shouldStopAPageAtTheBucketBoundAndHandBackACursorWhereItStopped() throws Exception {
        // rows 1-3 written, last seq 5,000: buckets 1-5 hold nothing (sink behind, or expired)
        String holey =
                "g_holey_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        fixture.seedHistory(holey, alice.userId, 3, 0, 5000);
        String path = "/v1/conversations/" + holey + "/messages?limit=50&";
        List<String> forward = pages(path, "after", 0);
        List<String> backward = pages(path, "before", 1L << 53);
        // two buckets (history.max.buckets.per.request) a page, each page resuming where the last stopped
        assertThat(forward).containsExactly("3@1999", "0@3999", "0@null");
        assertThat(backward).containsExactly("0@4000", "0@2000", "3@null");
    }

    /** Follows {@code next} from {@code start}: each page as "messages@next". */
    private static List<String> pages(String path, String cursor, long start) throws Exception {
        List<String> pages = new ArrayList<>();
        for (Long at = start; at != null; ) {
            JsonNode page = alice.http(edge.port(), "GET", path + cursor + "=" + at, null)
                    .body();
            pages.add(page.get("messages").size() + "@" + page.get("next").asText());
            at = page.get("next").isNull() ? null : page.get("next").asLong();
        }
        return pages;
    }

    @Test
    void shouldClampHugeCursorsSoConcurrentRequestsNeverStarveHealthChecks() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        String path = "http://127.0.0.1:" + edge.port() + "/v1/conversations/" + vars.get("{c}") + "/messages?";
        List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            String cursor = i % 2 == 0 ? "before=9007199254740992" : "after=" + (9007199254740992L - i);
            inFlight.add(client.sendAsync(
                    HttpRequest.newBuilder(URI.create(path + cursor))
                            .header("Authorization", "Bearer " + alice.token)
                            .timeout(Duration.ofSeconds(15))
                            .build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        assertThat(TestClient.http(edge.port(), "GET", "/healthz", null, null).status())
                .as("health answers while cursor requests run")
                .isEqualTo(200);
        for (int i = 0; i < inFlight.size(); i++) {
            HttpResponse<String> response = inFlight.get(i).join();
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            JsonNode page = TestClient.JSON.readTree(response.body());
            // before clamps to the last seq (the one message); after beyond it is an empty last page
            assertThat(page.get("messages")).hasSize(i % 2 == 0 ? 1 : 0);
            assertThat(page.get("next").isNull()).isTrue();
        }
    }

    @Test
    void shouldDropHugeFramesUnbufferedAndKeepServingEveryoneElse() throws Exception {
        BufferPoolMXBean direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(p -> p.getName().equals("direct"))
                .findFirst()
                .orElseThrow();
        long directBefore = direct.getMemoryUsed();
        long total = 64L * 1024 * 1024;
        for (int i = 0; i < 2; i++) {
            streamFrame(edge.port(), alice.token, 0x2, new byte[0], total);
            streamFrame(
                    edge.port(),
                    alice.token,
                    0x1,
                    "{\"id\":\"huge\",\"type\":\"send\",\"body\":\"".getBytes(StandardCharsets.UTF_8),
                    total);
        }
        long directGrowth = direct.getMemoryUsed() - directBefore;
        System.out.printf("direct buffer memory grew by %d KB over four 64 MB frames%n", directGrowth / 1024);
        assertThat(directGrowth).as("bytes of direct buffers kept").isLessThan(32L * 1024 * 1024);

        assertThat(TestClient.http(edge.port(), "GET", "/healthz", null, null).status())
                .isEqualTo(200);
        TestClient.Response ready = TestClient.http(edge.port(), "GET", "/readyz", null, null);
        assertThat(ready.status()).as(ready.toString()).isEqualTo(200);
        try (TestClient sender = alice.secondDevice(edge.port());
                TestClient receiver = bob.secondDevice(edge.port())) {
            String conversation = vars.get("{d}");
            sender.send("{\"type\":\"send\",\"id\":\"after-attack\",\"conversation_id\":\"" + conversation
                    + "\",\"body\":\"still chatting\"}");
            assertThat(sender.awaitType("sent", "after-attack")).isNotNull();
            assertThat(receiver.awaitType("message", null).get("body").asText()).isEqualTo("still chatting");
        }
    }

    /**
     * A raw client that streams one frame of {@code length} bytes from a small buffer (mask key
     * zero, so the payload goes as is), as an attacker would: no 64 MB in this JVM but the edge's.
     * Returns when the frame is sent or the edge has closed the connection.
     */
    private static void streamFrame(int port, String token, int opcode, byte[] start, long length) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            byte[] key = new byte[16];
            new java.util.Random().nextBytes(key);
            out.write(("GET /v1/ws HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
                            + "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "
                            + Base64.getEncoder().encodeToString(key) + "\r\nAuthorization: Bearer " + token
                            + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            assertThat(readHead(socket.getInputStream())).startsWith("HTTP/1.1 101");
            ByteBuffer head = ByteBuffer.allocate(14);
            head.put((byte) (0x80 | opcode))
                    .put((byte) (0x80 | 127))
                    .putLong(length)
                    .putInt(0);
            out.write(head.array());
            byte[] chunk = new byte[64 * 1024];
            Arrays.fill(chunk, (byte) 'x');
            try {
                out.write(start);
                for (long sent = start.length; sent < length; sent += chunk.length) {
                    out.write(chunk, 0, (int) Math.min(chunk.length, length - sent));
                }
                out.flush();
            } catch (IOException closedByTheEdge) {
                // expected: the edge refuses the frame and drops the connection
            }
        }
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
        }
        return head.toString();
    }

    /** The longest body whose send command, as this edge encodes it, fits {@code limit}. */
    private static int bodyLength(String edgeId, String conversation, String userId, int limit) {
        var serde = new ParleySerdes().command();
        int n = limit;
        while (true) {
            // the fields the edge fills: the HTTP request id it waits on, no display name in the token
            Command command = new Command(
                    conversation,
                    userId,
                    new Origin(edgeId, "http-" + UUID.randomUUID(), "h4"),
                    new SendMessage("h4", body(n), List.of(), null, null, List.of(), List.of()));
            int size = serde.serialize(Topics.COMMANDS.name(), command).length;
            if (size <= limit) {
                assertThat(size).as("a body length that hits the bound exactly").isEqualTo(limit);
                return n;
            }
            n -= size - limit;
        }
    }

    private static String fill(String template) {
        if (template == null) {
            return null;
        }
        String out = template;
        for (Map.Entry<String, String> v : vars.entrySet()) {
            out = out.replace(v.getKey(), v.getValue());
        }
        return out;
    }

    private static void assertNoStackTrace(String body) {
        assertThat(body).doesNotContain("Exception").doesNotContain("\tat ");
    }

    private static String frameId(String frame) {
        try {
            return TestClient.JSON.readTree(frame).path("id").asText(null);
        } catch (IOException e) {
            return null;
        }
    }

    // --- the table's vocabulary

    record Case(
            String name,
            String method,
            String path,
            String body,
            int status,
            String frame,
            String code,
            int closeCode,
            boolean anonymous,
            String contentType) {
        static final String BINARY = "binary:";

        @Override
        public String toString() {
            return name;
        }
    }

    static Case http(String name, String method, String path, String body, int status, String code) {
        return new Case(name, method, path, body, status, null, code, 0, false, JSON);
    }

    /** An HTTP request without an {@code Authorization} header ({@code {token}}: alice's token). */
    static Case anonymous(String name, String method, String path, int status, String code) {
        return new Case(name, method, path, null, status, null, code, 0, true, JSON);
    }

    /** A POST whose body claims {@code contentType} (null: no Content-Type header). */
    static Case postTyped(String name, String path, String contentType, String body, int status, String code) {
        return new Case(name, "POST", path, body, status, null, code, 0, false, contentType);
    }

    /** An FCM device registration with {@code deviceId} as written into the JSON. */
    static String device(String deviceId) {
        return "{\"platform\":\"fcm\",\"device_id\":\"" + deviceId + "\",\"token\":\"tok\"}";
    }

    static Case get(String name, String path, int status, String code) {
        return http(name, "GET", path, null, status, code);
    }

    static Case post(String name, String path, String body, int status, String code) {
        return http(name, "POST", path, body, status, code);
    }

    /** A page of {c}'s history; {@code query} starts with "?". */
    static Case history(String name, String query, int status, String code) {
        return get(name, MESSAGES + query, status, code);
    }

    /** A text frame answered with {@code code} (an error code, or "pong"); the socket stays open. */
    static Case ws(String name, String frame, String code) {
        return new Case(name, null, null, null, 0, frame, code, 0, false, JSON);
    }

    /** A frame answered with {@code code} (null: none) and then a close with {@code closeCode}. */
    static Case wsClosed(String name, String frame, String code, int closeCode) {
        return new Case(name, null, null, null, 0, frame, code, closeCode, false, JSON);
    }

    static String send(String id, String body, String media) {
        return "{\"type\":\"send\",\"id\":\"" + id + "\",\"conversation_id\":\"d_attack\",\"body\":\"" + body + "\""
                + (media == null ? "" : ",\"media\":" + media) + "}";
    }

    /** A frame of {@code type} to {@code conversation}, with {@code fields} (",..." or "") added. */
    static String probe(String type, String conversation, String fields) {
        return "{\"type\":\"" + type + "\",\"id\":\"p-" + type + "\",\"conversation_id\":\"" + conversation + "\""
                + fields + "}";
    }

    static String message(String id, String body, String media) {
        return "{\"id\":\"" + id + "\",\"body\":\"" + body + "\"" + (media == null ? "" : ",\"media\":" + media) + "}";
    }

    static String members(String... ids) {
        return "{\"type\":\"group\",\"name\":\"g\",\"members\":[\"" + String.join("\",\"", ids) + "\"]}";
    }

    static String[] ids(int count) {
        return java.util.stream.IntStream.range(0, count)
                .mapToObj(i -> "u_" + i)
                .toArray(String[]::new);
    }

    static String group(String name) {
        return "{\"type\":\"group\",\"name\":\"" + name + "\",\"members\":[]}";
    }

    static String body(int bytes) {
        return "b".repeat(bytes);
    }

    static String mediaIds(int count, int length) {
        return Stream.generate(() -> "\"" + "m".repeat(length) + "\"")
                .limit(count)
                .collect(Collectors.joining(",", "[", "]"));
    }

    /** The object {@code start} continues, padded with a {@code pad} field to exactly {@code bytes} bytes. */
    static String padded(String start, int bytes) {
        String open = start + ",\"pad\":\"";
        return open + "x".repeat(bytes - open.length() - 2) + "\"}";
    }
}
