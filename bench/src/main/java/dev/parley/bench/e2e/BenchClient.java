package dev.parley.bench.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One user's WebSocket speaking protocol v1. Sends are chained (the JDK WebSocket allows one
 * outstanding send); every incoming frame is parsed and fed to {@link Measurements}: {@code
 * message} frames carry the intended send time in their body, {@code sent} frames are matched to
 * the send by client id.
 */
final class BenchClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    final String userId;
    private final Measurements measurements;
    private final Map<String, Long> awaitingSent = new ConcurrentHashMap<>();
    /** Early frames waiting for {@code confirmed}: (conversation|seq) to the intended send time. */
    private final Map<String, Long> tentative = new ConcurrentHashMap<>();

    private final Map<String, Long> seqByClientId;
    private WebSocket socket;
    private CompletableFuture<?> lastSend = CompletableFuture.completedFuture(null);

    BenchClient(String userId, Measurements measurements, Map<String, Long> seqByClientId) {
        this.userId = userId;
        this.measurements = measurements;
        this.seqByClientId = seqByClientId;
    }

    CompletableFuture<BenchClient> connect(HttpClient http, URI uri, String token) {
        return http.newWebSocketBuilder()
                .header("Authorization", "Bearer " + token)
                .connectTimeout(Duration.ofSeconds(30))
                .buildAsync(uri, new Listener())
                .thenApply(ws -> {
                    socket = ws;
                    return this;
                });
    }

    /** A 200-byte body starting with the intended send time, so any recipient can time it. */
    static String body(long intendedNanos, int bytes) {
        StringBuilder b = new StringBuilder(bytes).append(intendedNanos).append('|');
        while (b.length() < bytes) {
            b.append('x');
        }
        return b.toString();
    }

    void send(String clientId, String conversationId, long intendedNanos, int bodyBytes) {
        String frame = "{\"type\":\"send\",\"id\":\"" + clientId + "\",\"conversation_id\":\"" + conversationId
                + "\",\"body\":\"" + body(intendedNanos, bodyBytes) + "\"}";
        awaitingSent.put(clientId, intendedNanos);
        measurements.sent.increment();
        write(frame);
    }

    /** A {@code typing start} frame; the peers time it through {@link Measurements#typingDue}. */
    void typing(String conversationId, long intendedNanos) {
        String frame = "{\"type\":\"typing\",\"conversation_id\":\"" + conversationId + "\",\"state\":\"start\"}";
        measurements.typingSent(conversationId, userId, intendedNanos);
        measurements.sent.increment();
        write(frame);
    }

    void ping() {
        write("{\"type\":\"ping\"}");
    }

    private synchronized void write(String frame) {
        lastSend = lastSend.thenCompose(x -> socket.sendText(frame, true)).exceptionally(e -> {
            measurements.error("client_write_failed");
            return null;
        });
    }

    void close() {
        if (socket != null) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bench done").exceptionally(e -> null);
        }
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                long now = System.nanoTime();
                String text = partial.toString();
                partial.setLength(0);
                handle(text, now);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            if (statusCode != WebSocket.NORMAL_CLOSURE) {
                measurements.error("closed_" + statusCode);
            }
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            measurements.error("socket_error");
        }
    }

    private void handle(String text, long now) {
        JsonNode frame;
        try {
            frame = JSON.readTree(text);
        } catch (Exception e) {
            measurements.error("unparsable_frame");
            return;
        }
        switch (frame.path("type").asText()) {
            case "message" -> {
                String body = frame.path("body").asText();
                int bar = body.indexOf('|');
                if (bar > 0) {
                    long intended = Long.parseLong(body.substring(0, bar));
                    String key = frame.path("conversation_id").asText()
                            + '|'
                            + frame.path("seq").asLong();
                    if (frame.path("tentative").asBoolean()) {
                        // early delivery: shown now, committed at its confirmation
                        tentative.put(key, intended);
                        measurements.deliveredEarly(intended, now);
                    } else {
                        tentative.remove(key);
                        measurements.delivered(intended, now);
                    }
                }
            }
            case "confirmed" -> {
                Long intended = tentative.remove(frame.path("conversation_id").asText()
                        + '|'
                        + frame.path("seq").asLong());
                if (intended != null) {
                    measurements.delivered(intended, now);
                }
            }
            case "retracted" -> {
                tentative.remove(frame.path("conversation_id").asText()
                        + '|'
                        + frame.path("seq").asLong());
                measurements.error("early_retracted");
            }
            case "sent" -> {
                String id = frame.path("id").asText();
                Long intended = awaitingSent.remove(id);
                if (intended != null) {
                    measurements.acknowledged(intended, now);
                    if (seqByClientId != null) {
                        seqByClientId.put(id, frame.path("seq").asLong());
                    }
                }
            }
            case "typing" ->
                measurements.typingSeen(
                        frame.path("conversation_id").asText(),
                        frame.path("user").asText(),
                        now);
            case "error" -> measurements.error(frame.path("code").asText("unknown"));
            default -> {}
        }
    }
}
