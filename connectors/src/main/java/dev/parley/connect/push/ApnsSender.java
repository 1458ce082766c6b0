package dev.parley.connect.push;

import com.eatthepath.pushy.apns.ApnsClient;
import com.eatthepath.pushy.apns.DeliveryPriority;
import com.eatthepath.pushy.apns.PushNotificationResponse;
import com.eatthepath.pushy.apns.PushType;
import com.eatthepath.pushy.apns.util.SimpleApnsPayloadBuilder;
import com.eatthepath.pushy.apns.util.SimpleApnsPushNotification;
import dev.parley.schema.PushRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * APNs over HTTP/2 with token (.p8) authentication, through pushy's {@link ApnsClient}, which
 * multiplexes many pushes on one connection and renews the provider token itself.
 */
final class ApnsSender implements PushSender {

    /** Apple's reasons meaning the token will never work again (APNs provider API, table 8-6). */
    private static final Set<String> TOKEN_GONE = Set.of("BadDeviceToken", "Unregistered", "DeviceTokenNotForTopic");

    private static final Duration EXPIRY = Duration.ofDays(1);

    private final ApnsClient client;
    private final String topic;

    ApnsSender(ApnsClient client, String topic) {
        this.client = client;
        this.topic = topic;
    }

    @Override
    public CompletableFuture<PushOutcome> send(PushRequest push) {
        if (push.getToken() == null || push.getToken().isBlank()) {
            return CompletableFuture.completedFuture(new PushOutcome.DeviceGone("device has no APNs token"));
        }
        SimpleApnsPayloadBuilder payload = new SimpleApnsPayloadBuilder();
        payload.setAlertTitle(PushContent.title(push));
        if (PushContent.body(push) != null) {
            payload.setAlertBody(PushContent.body(push));
        }
        payload.setSound("default");
        payload.setThreadId(push.getConversationId());
        payload.addCustomProperty("conversation_id", push.getConversationId());
        payload.addCustomProperty("seq", push.getLatestSeq());
        payload.addCustomProperty("count", push.getCount());
        SimpleApnsPushNotification notification = new SimpleApnsPushNotification(
                push.getToken(),
                topic,
                payload.build(),
                Instant.now().plus(EXPIRY),
                DeliveryPriority.IMMEDIATE,
                PushType.ALERT,
                PushContent.collapseKey(push));
        return client.sendNotification(notification).thenApply(ApnsSender::outcome);
    }

    static PushOutcome outcome(PushNotificationResponse<?> response) {
        if (response.isAccepted()) {
            return PushOutcome.accepted();
        }
        String reason = response.getRejectionReason().orElse("HTTP " + response.getStatusCode());
        int status = response.getStatusCode();
        if (TOKEN_GONE.contains(reason) || status == 410) {
            return new PushOutcome.DeviceGone("APNs " + status + " " + reason);
        }
        if (status == 429 || status >= 500 || "ExpiredProviderToken".equals(reason)) {
            return new PushOutcome.Retry("APNs " + status + " " + reason, null);
        }
        return new PushOutcome.Failed("APNs " + status + " " + reason);
    }

    @Override
    public void close() {
        client.close().join();
    }
}
