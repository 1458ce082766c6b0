package dev.parley.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.testkit.CassandraNodeExtension;
import dev.parley.testkit.ErrorLog;
import dev.parley.testkit.KafkaClusterExtension;
import dev.parley.testkit.RedisServerExtension;
import dev.parley.testkit.S3ProxyExtension;
import dev.parley.topology.TopologySettings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Media end to end on the real S3Proxy, Kafka, Cassandra and Redis (DESIGN 7.1): upload (raw and
 * multipart, up to media.max.bytes streamed), what is refused (too large without reading it, empty,
 * forged ids), authorized download with Range, ETag and the safety headers, and descriptors in
 * message frames. One fixture; a second edge with tiny limits for the limit cases.
 */
@ExtendWith({
    KafkaClusterExtension.class,
    RedisServerExtension.class,
    CassandraNodeExtension.class,
    S3ProxyExtension.class
})
class MediaIT {

    private static final long MAX_BYTES = 100L * 1024 * 1024;
    private static final int SMALL_MAX_BYTES = 1000;
    private static final int SMALL_QUOTA = 2500;
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final byte[] PNG_HEADER = {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};

    private static EdgeFixture fixture;
    private static EdgeMain.RunningEdge edge;
    private static EdgeMain.RunningEdge small;
    private static EdgeMain.RunningEdge lifecycle;
    private static String lifecycleBucket;
    private static String lifecycleKeyspace;
    private static String smallBucket;
    private static String smallKeyspace;
    private static ErrorLog log;

    @BeforeAll
    static void start() throws Exception {
        log = ErrorLog.attach();
        // a 2 s retention floor (production: 60 s), so an expiry takes seconds
        fixture = EdgeFixture.start(Map.of(TopologySettings.RETENTION_MIN_SECONDS, 2L));
        Map<String, Object> s = fixture.withMediaStore(fixture.settings("media-" + suffix()));
        s.put(EdgeSettings.RATE_MEDIA_BURST, 100);
        edge = fixture.edge(s);
        Map<String, Object> tiny = fixture.withMediaStore(fixture.settings("media-small-" + suffix()));
        smallBucket = (String) tiny.get(EdgeSettings.MEDIA_S3_BUCKET);
        // a keyspace of its own: its sweep (below) must not delete the other edge's media rows
        smallKeyspace = CassandraNodeExtension.newMigratedKeyspace();
        tiny.put(EdgeSettings.CASSANDRA_KEYSPACE, smallKeyspace);
        // uploads here are orphans after 1 s and swept every second
        tiny.put(EdgeSettings.MEDIA_ORPHAN_TTL_SECONDS, 1L);
        tiny.put(EdgeSettings.MEDIA_SWEEP_INTERVAL_SECONDS, 1L);
        tiny.put(EdgeSettings.MEDIA_MAX_BYTES, SMALL_MAX_BYTES);
        tiny.put(EdgeSettings.MEDIA_MAX_BYTES_PER_DAY, SMALL_QUOTA);
        small = fixture.edge(tiny);
        // deletes and expiries on the real sink's writes: a keyspace the sink fills, a bucket of its own,
        // releases swept every second (the orphan TTL stays at its day), downloads as 302 redirects
        Map<String, Object> sunk = fixture.withMediaStore(fixture.settings("media-lifecycle-" + suffix()));
        lifecycleBucket = (String) sunk.get(EdgeSettings.MEDIA_S3_BUCKET);
        lifecycleKeyspace = CassandraNodeExtension.newMigratedKeyspace();
        sunk.put(EdgeSettings.CASSANDRA_KEYSPACE, lifecycleKeyspace);
        sunk.put(EdgeSettings.MEDIA_SWEEP_INTERVAL_SECONDS, 1L);
        sunk.put(EdgeSettings.MEDIA_REDIRECT, true);
        sunk.put(EdgeSettings.RATE_MEDIA_BURST, 100);
        lifecycle = fixture.edge(sunk);
        fixture.sinkEvents(lifecycleKeyspace);
    }

    @AfterAll
    static void stop() {
        if (fixture != null) {
            fixture.close();
        }
        log.detach();
    }

    @AfterEach
    void shouldLogNoErrorForAnyOfIt() {
        log.assertNoEdgeErrors();
    }

    private static String suffix() {
        return UUID.randomUUID().toString().substring(0, 6);
    }

    private static TestClient user(EdgeMain.RunningEdge on, String name) throws Exception {
        return TestClient.register(on.port(), name + suffix());
    }

    private static byte[] png(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        System.arraycopy(PNG_HEADER, 0, bytes, 0, PNG_HEADER.length);
        return bytes;
    }

    private static HttpResponse<byte[]> post(int port, String path, String token, String type, byte[] body)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (type != null) {
            request.header("Content-Type", type);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static JsonNode upload(TestClient who, byte[] body, String filename) throws Exception {
        HttpResponse<byte[]> r = post(edge.port(), "/v1/media?filename=" + filename, who.token, "image/png", body);
        assertThat(r.statusCode())
                .as(new String(r.body(), StandardCharsets.UTF_8))
                .isEqualTo(201);
        return TestClient.JSON.readTree(r.body());
    }

    private static HttpResponse<byte[]> get(TestClient who, String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + path))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + who.token);
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static JsonNode body(HttpResponse<byte[]> r) throws IOException {
        return TestClient.JSON.readTree(r.body());
    }

    @Test
    void shouldStoreARawUploadWithItsSniffedTypeAndServeItToItsUploaderWithSafetyHeaders() throws Exception {
        TestClient alice = user(edge, "alice");
        byte[] file = png(5000);
        // the client claims HTML and a path: the type comes from the bytes, the name loses its folders
        HttpResponse<byte[]> r =
                post(edge.port(), "/v1/media?filename=..%2F..%2Fholiday.png", alice.token, "text/html", file);
        assertThat(r.statusCode()).isEqualTo(201);
        JsonNode m = body(r);
        assertThat(m.get("content_type").asText()).isEqualTo("image/png");
        assertThat(m.get("size").asLong()).isEqualTo(5000);
        assertThat(m.get("sha256").asText()).isEqualTo(sha256(file));
        assertThat(m.get("filename").asText()).isEqualTo("holiday.png");
        assertThat(m.has("thumbnail")).isFalse(); // corrupt after its header: stored as a file, no thumbnail
        String id = m.get("media_id").asText();

        HttpResponse<byte[]> whole = get(alice, "/v1/media/" + id);
        assertThat(whole.statusCode()).isEqualTo(200);
        assertThat(whole.body()).isEqualTo(file);
        assertThat(whole.headers().firstValue("Content-Type")).hasValue("image/png");
        assertThat(whole.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(whole.headers().firstValue("Content-Security-Policy")).hasValue("sandbox");
        assertThat(whole.headers().firstValue("Cache-Control").orElseThrow()).startsWith("private");
        assertThat(whole.headers().firstValue("Content-Disposition").orElseThrow())
                .startsWith("inline");
        String etag = whole.headers().firstValue("ETag").orElseThrow();
        assertThat(etag).isEqualTo("\"" + sha256(file) + "\"");

        HttpResponse<byte[]> notModified = get(alice, "/v1/media/" + id, "If-None-Match", etag);
        assertThat(notModified.statusCode()).isEqualTo(304);
        assertThat(notModified.body()).isEmpty();

        HttpResponse<byte[]> part = get(alice, "/v1/media/" + id, "Range", "bytes=100-199");
        assertThat(part.statusCode()).isEqualTo(206);
        assertThat(part.headers().firstValue("Content-Range")).hasValue("bytes 100-199/5000");
        assertThat(part.body()).isEqualTo(java.util.Arrays.copyOfRange(file, 100, 200));
        HttpResponse<byte[]> tail = get(alice, "/v1/media/" + id, "Range", "bytes=-10");
        assertThat(tail.statusCode()).isEqualTo(206);
        assertThat(tail.body()).isEqualTo(java.util.Arrays.copyOfRange(file, 4990, 5000));
        HttpResponse<byte[]> past = get(alice, "/v1/media/" + id, "Range", "bytes=5000-");
        assertThat(past.statusCode()).isEqualTo(416);
        assertThat(past.headers().firstValue("Content-Range")).hasValue("bytes */5000");

        assertThat(get(alice, "/v1/media/" + id + "/thumbnail").statusCode()).isEqualTo(404);
    }

    @Test
    void shouldServeAnUploadedHtmlPageAsAnAttachmentThatCannotRun() throws Exception {
        TestClient alice = user(edge, "alice");
        byte[] html = "<html><script>alert(document.cookie)</script></html>".getBytes(StandardCharsets.UTF_8);
        JsonNode m = TestClient.JSON.readTree(
                post(edge.port(), "/v1/media?filename=page.html", alice.token, "text/html", html)
                        .body());
        assertThat(m.get("content_type").asText()).isEqualTo("application/octet-stream");
        HttpResponse<byte[]> r = get(alice, "/v1/media/" + m.get("media_id").asText());
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
        assertThat(r.headers().firstValue("Content-Disposition").orElseThrow()).startsWith("attachment;");
        assertThat(r.headers().firstValue("Content-Security-Policy")).hasValue("sandbox");
    }

    @Test
    void shouldStoreAMultipartUploadUnderItsPartsFilename() throws Exception {
        TestClient alice = user(edge, "alice");
        byte[] file = png(3000);
        String boundary = "----parley" + suffix();
        ByteArrayOutputStream form = new ByteArrayOutputStream();
        form.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n")
                .getBytes(StandardCharsets.UTF_8));
        form.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"cat.png\"\r\n"
                        + "Content-Type: application/octet-stream\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8));
        form.write(file);
        form.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        HttpResponse<byte[]> r = post(
                edge.port(), "/v1/media", alice.token, "multipart/form-data; boundary=" + boundary, form.toByteArray());
        assertThat(r.statusCode())
                .as(new String(r.body(), StandardCharsets.UTF_8))
                .isEqualTo(201);
        JsonNode m = body(r);
        assertThat(m.get("filename").asText()).isEqualTo("cat.png");
        assertThat(m.get("content_type").asText()).isEqualTo("image/png");
        assertThat(m.get("sha256").asText()).isEqualTo(sha256(file));
        assertThat(get(alice, "/v1/media/" + m.get("media_id").asText()).body()).isEqualTo(file);

        HttpResponse<byte[]> noFile = post(
                edge.port(),
                "/v1/media",
                alice.token,
                "multipart/form-data; boundary=" + boundary,
                ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n--" + boundary
                                + "--\r\n")
                        .getBytes(StandardCharsets.UTF_8));
        assertThat(noFile.statusCode()).isEqualTo(400);
        assertThat(body(noFile).get("code").asText()).isEqualTo("bad_request");
    }

    @Test
    void shouldStreamAFileOfExactlyTheLimitInAndOutWithTheSameHash() throws Exception {
        TestClient alice = user(edge, "alice");
        HttpRequest request = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + edge.port() + "/v1/media?filename=big.bin"))
                .timeout(Duration.ofSeconds(120))
                .header("Authorization", "Bearer " + alice.token)
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.fromPublisher(
                        HttpRequest.BodyPublishers.ofInputStream(() -> new GeneratedBytes(MAX_BYTES, 42)), MAX_BYTES))
                .build();
        HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        JsonNode m = TestClient.JSON.readTree(r.body());
        String expected = GeneratedBytes.sha256(MAX_BYTES, 42);
        assertThat(m.get("size").asLong()).isEqualTo(MAX_BYTES);
        assertThat(m.get("sha256").asText()).isEqualTo(expected);

        HttpResponse<InputStream> back = HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + "/v1/media/"
                                + m.get("media_id").asText()))
                        .header("Authorization", "Bearer " + alice.token)
                        .build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(back.statusCode()).isEqualTo(200);
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        long read = 0;
        try (InputStream in = back.body()) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                digest.update(buf, 0, n);
                read += n;
            }
        }
        assertThat(read).isEqualTo(MAX_BYTES);
        assertThat(HexFormat.of().formatHex(digest.digest())).isEqualTo(expected);
    }

    @Test
    void shouldAnswer413BeforeReadingABodyOverTheLimit() throws Exception {
        TestClient alice = user(small, "alice");
        // Content-Length says 50 MB; only 64 KB are sent, and the answer comes without the rest
        try (Socket socket = new Socket("127.0.0.1", small.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/media?filename=x HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + alice.token
                            + "\r\nContent-Type: application/octet-stream\r\nContent-Length: 50000000\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[64 * 1024]);
            out.flush();
            String answer = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            assertThat(answer).isEqualTo("HTTP/1.1 413");
        }
        // chunked (no length): refused once it crosses the limit
        HttpRequest chunked = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + small.port() + "/v1/media"))
                .header("Authorization", "Bearer " + alice.token)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new GeneratedBytes(SMALL_MAX_BYTES + 1, 1)))
                .build();
        HttpResponse<String> over = HTTP.send(chunked, HttpResponse.BodyHandlers.ofString());
        assertThat(over.statusCode()).isEqualTo(413);
        assertThat(TestClient.JSON.readTree(over.body()).get("code").asText()).isEqualTo("too_large");
        assertThat(TestClient.JSON.readTree(over.body()).get("message").asText())
                .contains("media.max.bytes");
        // at the limit: stored
        assertThat(post(small.port(), "/v1/media", alice.token, null, png(SMALL_MAX_BYTES))
                        .statusCode())
                .isEqualTo(201);
    }

    @Test
    void shouldRefuseAnEmptyBody() throws Exception {
        TestClient alice = user(edge, "alice");
        HttpResponse<byte[]> r = post(edge.port(), "/v1/media", alice.token, "image/png", new byte[0]);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(body(r).get("code").asText()).isEqualTo("bad_request");
    }

    @Test
    void shouldRefuseUploadsPastTheDailyQuota() throws Exception {
        TestClient alice = user(small, "alice");
        for (int i = 0; i < 2; i++) {
            assertThat(post(small.port(), "/v1/media", alice.token, null, png(1000))
                            .statusCode())
                    .isEqualTo(201);
        }
        // 2000 of 2500 used: 1000 more would cross it
        HttpResponse<byte[]> over = post(small.port(), "/v1/media", alice.token, null, png(1000));
        assertThat(over.statusCode()).isEqualTo(429);
        assertThat(body(over).get("code").asText()).isEqualTo("rate_limited");
        assertThat(over.headers().firstValue("Retry-After")).isPresent();
        // a smaller file still fits, then the budget is spent and uploads are refused before reading
        assertThat(post(small.port(), "/v1/media", alice.token, null, png(500)).statusCode())
                .isEqualTo(201);
        assertThat(post(small.port(), "/v1/media", alice.token, null, png(10)).statusCode())
                .isEqualTo(429);
        // another user has their own budget
        assertThat(post(small.port(), "/v1/media", user(small, "bob").token, null, png(1000))
                        .statusCode())
                .isEqualTo(201);
    }

    @Test
    void shouldHideMediaFromStrangersAndUnknownIdsAlike() throws Exception {
        TestClient alice = user(edge, "alice");
        TestClient mallory = user(edge, "mallory");
        String id = upload(alice, png(100), "a.png").get("media_id").asText();
        for (String path : List.of(
                "/v1/media/" + id,
                "/v1/media/" + id + "/thumbnail",
                "/v1/media/" + id.substring(0, id.length() - 2) + "AA",
                "/v1/media/nothing",
                "/v1/media/%00")) {
            HttpResponse<byte[]> r = get(mallory, path);
            assertThat(r.statusCode()).as(path).isEqualTo(404);
            assertThat(body(r).get("code").asText()).isEqualTo("not_found");
        }
    }

    @Test
    void shouldCarryDescriptorsToMembersWhoMayThenReadUntilRemoved() throws Exception {
        TestClient alice = user(edge, "alice").connect(edge.port());
        TestClient bob = user(edge, "bob").connect(edge.port());
        TestClient mallory = user(edge, "mallory").connect(edge.port());
        JsonNode photo = upload(alice, png(2048), "beach.png");
        String id = photo.get("media_id").asText();
        TestClient.Response group = alice.createGroup(edge.port(), "trip", bob.userId);
        String conversation = group.body().get("conversation_id").asText();
        fixture.seedMembers(conversation, alice.userId, bob.userId);
        assertThat(get(bob, "/v1/media/" + id).statusCode()).isEqualTo(404); // not posted yet

        alice.send("{\"type\":\"send\",\"id\":\"c1\",\"conversation_id\":\"" + conversation
                + "\",\"body\":\"\",\"media\":[\"" + id + "\"]}");
        JsonNode sent = alice.awaitType("sent", "c1");
        JsonNode message = bob.await(f -> "message".equals(f.path("type").asText())
                && conversation.equals(f.path("conversation_id").asText()));
        JsonNode descriptor = message.get("media").get(0);
        assertThat(descriptor.get("media_id").asText()).isEqualTo(id);
        assertThat(descriptor.get("content_type").asText()).isEqualTo("image/png");
        assertThat(descriptor.get("size").asLong()).isEqualTo(2048);
        assertThat(descriptor.get("filename").asText()).isEqualTo("beach.png");
        assertThat(descriptor.has("thumbnail")).isTrue();
        assertThat(descriptor.get("thumbnail").isNull()).isTrue();

        fixture.referenceMedia(id, conversation, sent.get("seq").asLong()); // what the sink writes
        assertThat(get(bob, "/v1/media/" + id).body()).isEqualTo(png(2048));
        assertThat(get(mallory, "/v1/media/" + id).statusCode()).isEqualTo(404);
        fixture.removeMember(conversation, bob.userId);
        assertThat(get(bob, "/v1/media/" + id).statusCode()).isEqualTo(404);

        // someone else's media, a forged id and a repeat are refused before anything is produced
        String bobs = upload(bob, png(64), "b.png").get("media_id").asText();
        for (String media : List.of(
                "\"" + bobs + "\"",
                "\"" + id.substring(0, 25) + "A".repeat(22) + "\"",
                "\"m_1\"",
                "\"" + id + "\",\"" + id + "\"")) {
            alice.send("{\"type\":\"send\",\"id\":\"bad\",\"conversation_id\":\"" + conversation
                    + "\",\"body\":\"x\",\"media\":[" + media + "]}");
            JsonNode error = alice.awaitType("error", "bad");
            assertThat(error.get("code").asText()).as(media).isEqualTo("bad_request");
        }
        TestClient.Response overHttp = alice.http(
                edge.port(),
                "POST",
                "/v1/conversations/" + conversation + "/messages",
                "{\"id\":\"h1\",\"media\":[\"" + bobs + "\"]}");
        assertThat(overHttp.status()).isEqualTo(400);
        assertThat(overHttp.body().get("code").asText()).isEqualTo("bad_request");
    }

    @Test
    void shouldAcceptThirtyTwoMediaInOneMessageAndRefuseMore() throws Exception {
        TestClient alice = user(edge, "alice").connect(edge.port());
        TestClient bob = user(edge, "bob").connect(edge.port());
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 33; i++) {
            ids.add("\""
                    + upload(alice, png(20 + i), "p" + i + ".png")
                            .get("media_id")
                            .asText() + "\"");
        }
        String conversation = alice.createGroup(edge.port(), "album", bob.userId)
                .body()
                .get("conversation_id")
                .asText();
        alice.send("{\"type\":\"send\",\"id\":\"all\",\"conversation_id\":\"" + conversation
                + "\",\"body\":\"album\",\"media\":[" + String.join(",", ids.subList(0, 32)) + "]}");
        alice.awaitType("sent", "all");
        JsonNode received = bob.await(f -> "message".equals(f.path("type").asText())
                && conversation.equals(f.path("conversation_id").asText()));
        assertThat(received.get("media")).hasSize(32);
        assertThat(received.get("media").get(31).get("size").asLong()).isEqualTo(20 + 31);

        alice.send("{\"type\":\"send\",\"id\":\"more\",\"conversation_id\":\"" + conversation
                + "\",\"body\":\"album\",\"media\":[" + String.join(",", ids) + "]}");
        assertThat(alice.awaitType("error", "more").get("code").asText()).isEqualTo("bad_request");
    }

    private static HttpResponse<String> tus(String method, String path, TestClient who, String... headers)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + path))
                .timeout(Duration.ofSeconds(60))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (who != null) {
            request.header("Authorization", "Bearer " + who.token);
        }
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static long offsetOf(String location, TestClient who) throws Exception {
        HttpResponse<String> head = tus("HEAD", location, who, "Tus-Resumable", "1.0.0");
        assertThat(head.statusCode()).isEqualTo(200);
        return Long.parseLong(head.headers().firstValue("Upload-Offset").orElseThrow());
    }

    @Test
    void shouldResumeAnInterruptedTusUploadFromItsOffsetToAByteIdenticalFile() throws Exception {
        TestClient alice = user(edge, "alice");
        TestClient mallory = user(edge, "mallory");
        HttpResponse<String> options = tus("OPTIONS", "/v1/uploads", null);
        assertThat(options.statusCode()).isEqualTo(204);
        assertThat(options.headers().firstValue("Tus-Version")).hasValue("1.0.0");
        assertThat(options.headers().firstValue("Tus-Extension").orElseThrow())
                .contains("creation", "termination", "expiration");

        long length = 12L * 1024 * 1024; // three parts of 5 MiB or less
        HttpResponse<String> created = tus(
                "POST",
                "/v1/uploads",
                alice,
                "Tus-Resumable",
                "1.0.0",
                "Upload-Length",
                Long.toString(length),
                "Upload-Metadata",
                "filename "
                        + java.util.Base64.getEncoder().encodeToString("video.mp4".getBytes(StandardCharsets.UTF_8)));
        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(created.headers().firstValue("Upload-Expires")).isPresent();
        String location = created.headers().firstValue("Location").orElseThrow();

        // 60 % arrives, then the connection breaks (a phone going into a tunnel)
        long sent = length * 6 / 10;
        try (Socket socket = new Socket("127.0.0.1", edge.port());
                InputStream source = new GeneratedBytes(length, 7)) {
            OutputStream out = socket.getOutputStream();
            out.write(("PATCH " + location + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + alice.token
                            + "\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\n"
                            + "Content-Type: application/offset+octet-stream\r\nContent-Length: " + length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] buf = new byte[1 << 16];
            for (long left = sent; left > 0; ) {
                int n = source.read(buf, 0, (int) Math.min(buf.length, left));
                out.write(buf, 0, n);
                left -= n;
            }
            out.flush();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (offsetOf(location, alice) < sent && System.nanoTime() < deadline) {
            Thread.sleep(50); // polling a condition with a deadline
        }
        long offset = offsetOf(location, alice);
        assertThat(offset).isEqualTo(sent);
        assertThat(tus("HEAD", location, mallory, "Tus-Resumable", "1.0.0").statusCode())
                .isEqualTo(404);

        // a PATCH at the wrong offset is refused and changes nothing
        HttpResponse<String> wrong = HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + location))
                        .header("Authorization", "Bearer " + alice.token)
                        .header("Tus-Resumable", "1.0.0")
                        .header("Upload-Offset", "0")
                        .header("Content-Type", "application/offset+octet-stream")
                        .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(new byte[10]))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(wrong.statusCode()).isEqualTo(409);
        assertThat(offsetOf(location, alice)).isEqualTo(offset);

        HttpResponse<String> rest = HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + location))
                        .timeout(Duration.ofSeconds(60))
                        .header("Authorization", "Bearer " + alice.token)
                        .header("Tus-Resumable", "1.0.0")
                        .header("Upload-Offset", Long.toString(offset))
                        .header("Content-Type", "application/offset+octet-stream")
                        .method(
                                "PATCH",
                                HttpRequest.BodyPublishers.fromPublisher(
                                        HttpRequest.BodyPublishers.ofInputStream(() -> {
                                            InputStream in = new GeneratedBytes(length, 7);
                                            try {
                                                in.skipNBytes(offset);
                                            } catch (IOException e) {
                                                throw new java.io.UncheckedIOException(e);
                                            }
                                            return in;
                                        }),
                                        length - offset))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(rest.statusCode()).as(rest.body()).isEqualTo(204);
        assertThat(rest.headers().firstValue("Upload-Offset")).hasValue(Long.toString(length));
        String mediaId = rest.headers().firstValue("Parley-Media-Id").orElseThrow();

        HttpResponse<String> result = tus("GET", location, alice);
        assertThat(result.statusCode()).isEqualTo(200);
        JsonNode m = TestClient.JSON.readTree(result.body());
        assertThat(m.get("media_id").asText()).isEqualTo(mediaId);
        assertThat(m.get("size").asLong()).isEqualTo(length);
        assertThat(m.get("filename").asText()).isEqualTo("video.mp4");
        assertThat(m.get("sha256").asText()).isEqualTo(GeneratedBytes.sha256(length, 7));
        assertThat(sha256(get(alice, "/v1/media/" + mediaId).body())).isEqualTo(GeneratedBytes.sha256(length, 7));
        assertThat(tus("GET", location, mallory).statusCode()).isEqualTo(404);
    }

    @Test
    void shouldTerminateATusUploadAndForgetIt() throws Exception {
        TestClient alice = user(edge, "alice");
        HttpResponse<String> created =
                tus("POST", "/v1/uploads", alice, "Tus-Resumable", "1.0.0", "Upload-Length", "100");
        String location = created.headers().firstValue("Location").orElseThrow();
        assertThat(tus("DELETE", location, alice, "Tus-Resumable", "1.0.0").statusCode())
                .isEqualTo(204);
        assertThat(tus("HEAD", location, alice, "Tus-Resumable", "1.0.0").statusCode())
                .isEqualTo(404);
        assertThat(tus("POST", "/v1/uploads", alice, "Upload-Length", "100").statusCode())
                .as("without Tus-Resumable")
                .isEqualTo(412);
        assertThat(tus("POST", "/v1/uploads", alice, "Tus-Resumable", "1.0.0", "Upload-Length", "104857601")
                        .statusCode())
                .isEqualTo(413);
    }

    @Test
    void shouldDeleteMediaNoMessageReferencedWithinTheOrphanTtl() throws Exception {
        TestClient alice = user(small, "alice");
        String orphan = TestClient.JSON
                .readTree(post(small.port(), "/v1/media", alice.token, null, png(100))
                        .body())
                .get("media_id")
                .asText();
        String kept = TestClient.JSON
                .readTree(post(small.port(), "/v1/media", alice.token, null, png(100))
                        .body())
                .get("media_id")
                .asText();
        fixture.referenceMedia(smallKeyspace, kept, "g_somewhere", 1);
        java.nio.file.Path object =
                S3ProxyExtension.baseDir().resolve(smallBucket).resolve("media").resolve(orphan);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (java.nio.file.Files.exists(object) && System.nanoTime() < deadline) {
            Thread.sleep(50); // polling a condition with a deadline
        }
        assertThat(object).doesNotExist();
        HttpRequest.Builder read =
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + small.port() + "/v1/media/"));
        assertThat(HTTP.send(
                                read.copy()
                                        .uri(URI.create("http://127.0.0.1:" + small.port() + "/v1/media/" + orphan))
                                        .header("Authorization", "Bearer " + alice.token)
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .statusCode())
                .isEqualTo(404);
        assertThat(HTTP.send(
                                read.copy()
                                        .uri(URI.create("http://127.0.0.1:" + small.port() + "/v1/media/" + kept))
                                        .header("Authorization", "Bearer " + alice.token)
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .statusCode())
                .isEqualTo(200);
    }

    private static HttpResponse<byte[]> getFrom(EdgeMain.RunningEdge on, TestClient who, String path) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + on.port() + path))
                        .timeout(Duration.ofSeconds(30))
                        .header("Authorization", "Bearer " + who.token)
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String uploadTo(EdgeMain.RunningEdge on, TestClient who, byte[] body) throws Exception {
        HttpResponse<byte[]> r = post(on.port(), "/v1/media?filename=p.png", who.token, "image/png", body);
        assertThat(r.statusCode()).isEqualTo(201);
        return body(r).get("media_id").asText();
    }

    /** A group of {@code alice} and {@code bob} made on the lifecycle edge (the sink stores its members). */
    private static String group(TestClient alice, TestClient bob) throws Exception {
        TestClient.Response group = alice.createGroup(lifecycle.port(), "g", bob.userId);
        assertThat(group.status()).isEqualTo(201);
        return group.body().get("conversation_id").asText();
    }

    private static long sendMedia(TestClient from, String conversation, String id, String... media) throws Exception {
        TestClient.Response sent = from.http(
                lifecycle.port(),
                "POST",
                "/v1/conversations/" + conversation + "/messages",
                "{\"id\":\"" + id + "\",\"body\":\"look\",\"media\":[\"" + String.join("\",\"", media) + "\"]}");
        assertThat(sent.status()).as(String.valueOf(sent.body())).isEqualTo(200);
        return sent.body().get("seq").asLong();
    }

    private static java.nio.file.Path objectOf(String mediaId) {
        return S3ProxyExtension.baseDir()
                .resolve(lifecycleBucket)
                .resolve("media")
                .resolve(mediaId);
    }

    /** Polls {@code what} until it holds or 30 s pass; the caller asserts afterwards. */
    private static void awaitCondition(java.util.concurrent.Callable<Boolean> what) throws Exception {
        // generous: an expiry goes through the topology, the sink, a TTL and a sweep, and the build
        // runs this next to other modules' tests on two cores
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!what.call() && System.nanoTime() < deadline) {
            Thread.sleep(50); // polling a condition with a deadline
        }
    }

    private static int releasesLeft(String... media) {
        try (com.datastax.oss.driver.api.core.CqlSession cql = fixture.cql()) {
            int n = 0;
            for (com.datastax.oss.driver.api.core.cql.Row r :
                    cql.execute("SELECT media_id FROM " + lifecycleKeyspace + ".media_releases")) {
                n += List.of(media).contains(r.getString(0)) ? 1 : 0;
            }
            return n;
        }
    }

    @Test
    void shouldRemoveTheMediaOfAMessageDeletedForEveryoneUnlessAnotherMessageStillHasIt() throws Exception {
        TestClient alice = user(lifecycle, "alice");
        TestClient bob = user(lifecycle, "bob");
        String conversation = group(alice, bob);
        String only = uploadTo(lifecycle, alice, png(300));
        String shared = uploadTo(lifecycle, alice, png(400));
        long first = sendMedia(alice, conversation, "m1", only, shared);
        long second = sendMedia(alice, conversation, "m2", shared); // the same photo again, same conversation
        awaitCondition(() -> getFrom(lifecycle, bob, "/v1/media/" + only).statusCode() == 302);
        assertThat(getFrom(lifecycle, bob, "/v1/media/" + only).statusCode()).isEqualTo(302);

        TestClient.Response deleted = alice.http(
                lifecycle.port(),
                "DELETE",
                "/v1/conversations/" + conversation + "/messages/" + first + "?id=d1",
                null);
        assertThat(deleted.status()).isEqualTo(200);
        awaitCondition(() -> !java.nio.file.Files.exists(objectOf(only)) && releasesLeft(only) == 0);
        assertThat(objectOf(only)).doesNotExist();
        assertThat(releasesLeft(only)).isZero(); // done and forgotten
        // still used by the other message: kept, and its entry retried within the grace (the
        // released message's own use might have been in flight), not deleted
        assertThat(releasesLeft(shared)).isEqualTo(1);
        for (TestClient who : List.of(bob, alice)) { // the uploader too: the row is gone with the object
            HttpResponse<byte[]> gone = getFrom(lifecycle, who, "/v1/media/" + only);
            assertThat(gone.statusCode()).isEqualTo(404);
            assertThat(body(gone).get("code").asText()).isEqualTo("not_found");
        }
        // still in message 2: kept, and still readable by the member
        assertThat(objectOf(shared)).exists();
        assertThat(getFrom(lifecycle, bob, "/v1/media/" + shared).statusCode()).isEqualTo(302);

        assertThat(alice.http(
                                lifecycle.port(),
                                "DELETE",
                                "/v1/conversations/" + conversation + "/messages/" + second + "?id=d2",
                                null)
                        .status())
                .isEqualTo(200);
        awaitCondition(() -> !java.nio.file.Files.exists(objectOf(shared)));
        assertThat(objectOf(shared)).doesNotExist();
        assertThat(getFrom(lifecycle, bob, "/v1/media/" + shared).statusCode()).isEqualTo(404);
    }

    @Test
    void shouldRemoveTheMediaOfADisappearingMessageOnceItExpires() throws Exception {
        TestClient alice = user(lifecycle, "alice");
        TestClient bob = user(lifecycle, "bob");
        String conversation = group(alice, bob);
        assertThat(alice.http(lifecycle.port(), "PUT", "/v1/conversations/" + conversation, "{\"retention_seconds\":2}")
                        .status())
                .isEqualTo(200);
        String photo = uploadTo(lifecycle, alice, png(500));
        String kept = uploadTo(lifecycle, alice, png(600)); // also sent in another, lasting conversation
        String lasting = group(alice, bob);
        sendMedia(alice, lasting, "k1", kept);
        sendMedia(alice, conversation, "e1", photo, kept);
        assertThat(objectOf(photo)).exists();

        awaitCondition(() -> !java.nio.file.Files.exists(objectOf(photo)) && releasesLeft(photo) == 0);
        assertThat(objectOf(photo)).doesNotExist();
        assertThat(releasesLeft(photo)).isZero();
        assertThat(getFrom(lifecycle, bob, "/v1/media/" + photo).statusCode()).isEqualTo(404);
        assertThat(getFrom(lifecycle, alice, "/v1/media/" + photo).statusCode()).isEqualTo(404);
        assertThat(objectOf(kept)).exists();
        assertThat(getFrom(lifecycle, bob, "/v1/media/" + kept).statusCode()).isEqualTo(302);
    }

    @Test
    void shouldRedirectReadersToAPresignedUrlServingTheBytesAndNeverStrangers() throws Exception {
        TestClient alice = user(lifecycle, "alice");
        TestClient bob = user(lifecycle, "bob");
        TestClient mallory = user(lifecycle, "mallory");
        String conversation = group(alice, bob);
        byte[] file = png(3000);
        String id = uploadTo(lifecycle, alice, file);
        sendMedia(alice, conversation, "r1", id);
        awaitCondition(() -> getFrom(lifecycle, bob, "/v1/media/" + id).statusCode() == 302);
        for (TestClient reader : List.of(alice, bob)) {
            HttpResponse<byte[]> redirect = getFrom(lifecycle, reader, "/v1/media/" + id);
            assertThat(redirect.statusCode()).isEqualTo(302);
            URI location = URI.create(redirect.headers().firstValue("Location").orElseThrow());
            assertThat(location.toString()).startsWith(S3ProxyExtension.endpoint());
            // what the browser does: follow it, with no credentials of ours
            HttpResponse<byte[]> object = HTTP.send(
                    HttpRequest.newBuilder(location)
                            .timeout(Duration.ofSeconds(30))
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(object.statusCode()).isEqualTo(200);
            assertThat(object.body()).isEqualTo(file);
            // the signature covers the key: another object with the same query is refused by the store
            String other = id.substring(0, id.length() - 1) + (id.endsWith("x") ? "y" : "x");
            URI tampered = URI.create(location.toString().replace(id, other));
            assertThat(HTTP.send(HttpRequest.newBuilder(tampered).build(), HttpResponse.BodyHandlers.discarding())
                            .statusCode())
                    .isEqualTo(403);
        }
        for (String path : List.of("/v1/media/" + id, "/v1/media/" + id + "/thumbnail")) {
            HttpResponse<byte[]> refused = getFrom(lifecycle, mallory, path);
            assertThat(refused.statusCode()).as(path).isEqualTo(404);
            assertThat(refused.headers().firstValue("Location")).as(path).isEmpty();
            assertThat(body(refused).get("code").asText()).isEqualTo("not_found");
        }
    }

    /** {@code length} pseudo-random bytes from {@code seed}, made as they are read (never a byte[] of them). */
    static final class GeneratedBytes extends InputStream {
        private final Random random;
        private long remaining;
        private final byte[] block = new byte[8192];
        private int pos = block.length;

        GeneratedBytes(long length, long seed) {
            this.random = new Random(seed);
            this.remaining = length;
        }

        static String sha256(long length, long seed) throws Exception {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            try (InputStream in = new GeneratedBytes(length, seed)) {
                byte[] buf = new byte[1 << 16];
                for (int n; (n = in.read(buf)) > 0; ) {
                    digest.update(buf, 0, n);
                }
            }
            return HexFormat.of().formatHex(digest.digest());
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buf, int off, int len) {
            if (remaining <= 0) {
                return -1;
            }
            int n = (int) Math.min(len, remaining);
            for (int i = 0; i < n; i++) {
                if (pos == block.length) {
                    random.nextBytes(block);
                    pos = 0;
                }
                buf[off + i] = block[pos++];
            }
            remaining -= n;
            return n;
        }
    }
}
