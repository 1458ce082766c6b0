package dev.parley.connect.push;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.auth.oauth2.ServiceAccountCredentials;
import dev.parley.schema.PushRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * FCM HTTP v1 ({@code POST /v1/projects/{project}/messages:send}) with an OAuth2 access token
 * minted from a service account (google-auth-library; the token is cached and refreshed before it
 * expires). Error mapping follows FCM's {@code FcmError.errorCode}.
 */
final class FcmSender implements PushSender {

    static final String SCOPE = "https://www.googleapis.com/auth/firebase.messaging";
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final GoogleCredentials credentials;
    private final URI sendUri;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();
    private volatile boolean refreshNow;
    // token refresh is a blocking HTTP call: never on the caller's thread
    private final ExecutorService tokens = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "fcm-oauth");
        t.setDaemon(true);
        return t;
    });

    FcmSender(ServiceAccountCredentials account, String endpoint, HttpClient http) {
        this.credentials = account.createScoped(List.of(SCOPE));
        String base = endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
        this.sendUri = URI.create(base + "/v1/projects/" + account.getProjectId() + "/messages:send");
        this.http = http;
    }

    @Override
    public CompletableFuture<PushOutcome> send(PushRequest push) {
        if (push.getToken() == null || push.getToken().isBlank()) {
            return CompletableFuture.completedFuture(new PushOutcome.DeviceGone("device has no FCM token"));
        }
        byte[] body = message(push);
        return CompletableFuture.supplyAsync(this::accessToken, tokens).thenCompose(token -> http.sendAsync(
                        HttpRequest.newBuilder(sendUri)
                                .timeout(TIMEOUT)
                                .header("Authorization", "Bearer " + token)
                                .header("Content-Type", "application/json; charset=UTF-8")
                                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .thenApply(this::outcome));
    }

    private String accessToken() {
        try {
            if (refreshNow) {
                refreshNow = false;
                credentials.refresh();
            } else {
                credentials.refreshIfExpired();
            }
            return credentials.getAccessToken().getTokenValue();
        } catch (IOException e) {
            throw new UncheckedIOException("FCM access token: " + e.getMessage(), e);
        }
    }

    byte[] message(PushRequest push) {
        String collapse = PushContent.collapseKey(push);
        ObjectNode root = json.createObjectNode();
        ObjectNode message = root.putObject("message");
        message.put("token", push.getToken());
        ObjectNode notification = message.putObject("notification");
        notification.put("title", PushContent.title(push));
        if (PushContent.body(push) != null) {
            notification.put("body", PushContent.body(push));
        }
        ObjectNode data = message.putObject("data");
        data.put("conversation_id", push.getConversationId());
        data.put("seq", Long.toString(push.getLatestSeq()));
        data.put("count", Integer.toString(push.getCount()));
        ObjectNode android = message.putObject("android");
        android.put("collapse_key", collapse);
        android.put("priority", "high");
        android.putObject("notification").put("tag", collapse);
        try {
            return json.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private PushOutcome outcome(HttpResponse<String> response) {
        int status = response.statusCode();
        if (status == 200) {
            return PushOutcome.accepted();
        }
        String errorCode = errorCode(response.body());
        String message = errorMessage(response.body());
        String reason = "FCM " + status + " " + errorCode + (message.isEmpty() ? "" : ": " + message);
        switch (errorCode) {
            case "UNREGISTERED", "SENDER_ID_MISMATCH" -> {
                return new PushOutcome.DeviceGone(reason);
            }
            case "INVALID_ARGUMENT" -> {
                // FCM uses INVALID_ARGUMENT both for a malformed token and a malformed message
                return message.toLowerCase().contains("registration token")
                        ? new PushOutcome.DeviceGone(reason)
                        : new PushOutcome.Failed(reason);
            }
            default -> {}
        }
        if (status == 401) {
            refreshNow = true; // the token was revoked or rotated early
            return new PushOutcome.Retry(reason, Duration.ZERO);
        }
        if (status == 429 || status >= 500) {
            return new PushOutcome.Retry(
                    reason,
                    RetryAfter.parse(
                            response.headers().firstValue("Retry-After").orElse(null), Instant.now()));
        }
        return new PushOutcome.Failed(reason);
    }

    private String errorCode(String body) {
        JsonNode error = parse(body).path("error");
        for (JsonNode detail : error.path("details")) {
            if (detail.hasNonNull("errorCode")) {
                return detail.get("errorCode").asText();
            }
        }
        return error.path("status").asText("UNKNOWN");
    }

    private String errorMessage(String body) {
        return parse(body).path("error").path("message").asText("");
    }

    private JsonNode parse(String body) {
        try {
            return json.readTree(body == null || body.isEmpty() ? "{}" : body);
        } catch (IOException e) {
            return json.createObjectNode();
        }
    }

    @Override
    public void close() {
        tokens.shutdownNow();
    }
}
