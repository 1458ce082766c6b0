package dev.parley.edge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A real client of protocol v1: JDK HttpClient for HTTP, its WebSocket for frames. */
final class TestClient implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    record Response(int status, JsonNode body) {}

    final String userId;
    final String token;
    private final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
    private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    private WebSocket socket;

    TestClient(String userId, String token) {
        this.userId = userId;
        this.token = token;
    }

    /** Registers a fresh user on the edge and logs in. */
    static TestClient register(int port, String username) throws Exception {
        Response created = http(
                port, "POST", "/v1/users", null, "{\"username\":\"" + username + "\",\"password\":\"correct horse\"}");
        if (created.status() != 201) {
            throw new AssertionError("register " + username + ": " + created);
        }
        Response token = http(
                port, "POST", "/v1/tokens", null, "{\"username\":\"" + username + "\",\"password\":\"correct horse\"}");
        return new TestClient(
                created.body().get("user_id").asText(),
                token.body().get("access_token").asText());
    }

    static Response http(int port, String method, String path, String token, String body) throws Exception {
        return http(port, method, path, token, body, "application/json");
    }

    /** A request whose body (if any) claims {@code contentType}; null sends no Content-Type. */
    static Response http(int port, String method, String path, String token, String body, String contentType)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(15))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null && contentType != null) {
            request.header("Content-Type", contentType);
        }
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json = response.body().isEmpty() ? null : JSON.readTree(response.body());
        return new Response(response.statusCode(), json);
    }

    Response http(int port, String method, String path, String body) throws Exception {
        return http(port, method, path, token, body);
    }

    /** {@code POST /v1/conversations} of a group named {@code name} with this user and {@code members}. */
    Response createGroup(int port, String name, String... members) throws Exception {
        var body = JSON.createObjectNode().put("type", "group").put("name", name);
        body.set("members", JSON.valueToTree(List.of(members)));
        return http(port, "POST", "/v1/conversations", JSON.writeValueAsString(body));
    }

    /** Another socket of the same user (another device), possibly on another edge. */
    TestClient secondDevice(int port) throws Exception {
        return new TestClient(userId, token).connect(port);
    }

    TestClient connect(int port) throws Exception {
        return connect(port, "");
    }

    private TestClient connect(int port, String query) throws Exception {
        socket = HTTP.newWebSocketBuilder()
                .header("Authorization", "Bearer " + token)
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/v1/ws" + query), new Collector())
                .get(10, TimeUnit.SECONDS);
        return this;
    }

    /** Connects asking for early (tentative) messages: {@code /v1/ws?early=1}. */
    TestClient connectEarly(int port) throws Exception {
        return connect(port, "?early=1");
    }

    /** Connects as a browser does: the token in {@code ?access_token=}, no header. */
    TestClient connectWithQueryToken(int port) throws Exception {
        socket = HTTP.newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/v1/ws?access_token=" + token), new Collector())
                .get(10, TimeUnit.SECONDS);
        return this;
    }

    void send(String frame) {
        socket.sendText(frame, true).join();
    }

    void sendBinary(byte[] frame) {
        socket.sendBinary(ByteBuffer.wrap(frame), true).join();
    }

    /** The close code the edge closed this socket with; fails after 15 s. */
    int awaitClose() throws Exception {
        return closeCode.get(15, TimeUnit.SECONDS);
    }

    /** The next frame matching {@code match}, skipping others; fails after 15 s. */
    JsonNode await(Predicate<JsonNode> match) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode frame = frames.poll(100, TimeUnit.MILLISECONDS);
            if (frame != null && match.test(frame)) {
                return frame;
            }
        }
        throw new AssertionError("no matching frame within 15 s for " + userId);
    }

    /** Every frame up to and including the first matching {@code last}; fails after 30 s. */
    List<JsonNode> awaitAllUntil(Predicate<JsonNode> last) throws InterruptedException {
        List<JsonNode> all = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode frame = frames.poll(100, TimeUnit.MILLISECONDS);
            if (frame != null) {
                all.add(frame);
                if (last.test(frame)) {
                    return all;
                }
            }
        }
        throw new AssertionError("no matching frame within 30 s for " + userId + " after " + all.size() + " frames");
    }

    JsonNode awaitType(String type, String id) throws InterruptedException {
        return await(f -> type.equals(f.path("type").asText())
                && (id == null || id.equals(f.path("id").asText())));
    }

    /** Frames received so far that match, without waiting. */
    long count(Predicate<JsonNode> match) {
        return frames.stream().filter(match).count();
    }

    void closeSocket() {
        if (socket != null) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
        }
    }

    @Override
    public void close() {
        if (socket != null && !socket.isOutputClosed()) {
            socket.abort();
        }
    }

    private final class Collector implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    frames.add(JSON.readTree(partial.toString()));
                } catch (Exception e) {
                    frames.add(
                            JSON.createObjectNode().put("type", "unparseable").put("raw", partial.toString()));
                }
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closeCode.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closeCode.completeExceptionally(error);
        }
    }
}
