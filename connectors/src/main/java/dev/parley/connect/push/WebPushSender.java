package dev.parley.connect.push;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.schema.PushRequest;
import dev.parley.schema.WebPushSubscription;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.security.Security;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import nl.martijndwars.webpush.AbstractPushService;
import nl.martijndwars.webpush.Encoding;
import nl.martijndwars.webpush.Utils;
import org.bouncycastle.jce.interfaces.ECPublicKey;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * Web Push (RFC 8030) with an aes128gcm-encrypted payload (RFC 8291, by the web-push library) and
 * VAPID (RFC 8292, {@link VapidSigner}); the request goes out on the JDK's HttpClient.
 */
final class WebPushSender implements PushSender {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final int TTL_SECONDS = 24 * 3600;

    private final VapidSigner vapid;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();

    WebPushSender(VapidSigner vapid, HttpClient http) {
        if (Security.getProvider(BouncyCastleProvider.PROVIDER_NAME) == null) {
            Security.addProvider(new BouncyCastleProvider()); // web-push's key handling needs it
        }
        this.vapid = vapid;
        this.http = http;
    }

    @Override
    public CompletableFuture<PushOutcome> send(PushRequest push) {
        WebPushSubscription subscription = push.getWebPush();
        if (subscription == null) {
            return CompletableFuture.completedFuture(new PushOutcome.DeviceGone("device has no Web Push subscription"));
        }
        URI endpoint;
        byte[] body;
        try {
            endpoint = URI.create(subscription.getEndpoint());
            ECPublicKey userKey = (ECPublicKey) Utils.loadPublicKey(base64Url(subscription.getP256dh()));
            body = AbstractPushService.encrypt(
                            payload(push), userKey, base64Url(subscription.getAuth()), Encoding.AES128GCM)
                    .getCiphertext();
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            // keys or an endpoint that do not parse are the subscription's fault: it can never work
            return CompletableFuture.completedFuture(
                    new PushOutcome.DeviceGone("unusable Web Push subscription: " + e.getMessage()));
        }
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(endpoint)
                    .timeout(TIMEOUT)
                    .header("Authorization", vapid.authorization(endpoint, Instant.now()))
                    .header("Content-Encoding", "aes128gcm")
                    .header("Content-Type", "application/octet-stream")
                    .header("TTL", Integer.toString(TTL_SECONDS))
                    .header("Urgency", "high")
                    .header("Topic", PushContent.collapseKey(push))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build();
        } catch (GeneralSecurityException e) {
            return CompletableFuture.completedFuture(new PushOutcome.Failed("VAPID signing failed: " + e));
        }
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(WebPushSender::outcome);
    }

    static PushOutcome outcome(HttpResponse<String> response) {
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return PushOutcome.accepted();
        }
        String reason = "Web Push " + status + " from " + response.uri().getHost();
        if (status == 404 || status == 410) {
            return new PushOutcome.DeviceGone(reason); // RFC 8030 section 7.3: subscription expired
        }
        if (status == 429 || status >= 500) {
            return new PushOutcome.Retry(
                    reason,
                    RetryAfter.parse(
                            response.headers().firstValue("Retry-After").orElse(null), Instant.now()));
        }
        return new PushOutcome.Failed(reason + ": " + abbreviate(response.body()));
    }

    byte[] payload(PushRequest push) {
        ObjectNode node = json.createObjectNode();
        node.put("title", PushContent.title(push));
        if (PushContent.body(push) != null) {
            node.put("body", PushContent.body(push));
        }
        node.put("conversation_id", push.getConversationId());
        node.put("seq", push.getLatestSeq());
        node.put("count", push.getCount());
        try {
            return json.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Browsers hand out base64url keys; some clients send standard base64. Accept both. */
    private static byte[] base64Url(String value) {
        String normalized = value.trim().replace('+', '-').replace('/', '_').replace("=", "");
        return Base64.getUrlDecoder().decode(normalized);
    }

    private static String abbreviate(String body) {
        if (body == null) {
            return "";
        }
        return body.length() <= 200 ? body : body.substring(0, 200) + "...";
    }

    @Override
    public void close() {}
}
