package dev.parley.edge.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.devices.DeviceRegistry;
import dev.parley.edge.ApiException;
import dev.parley.edge.ClientInput;
import dev.parley.edge.presence.RateLimiters;
import dev.parley.schema.Device;
import dev.parley.schema.ErrorCode;
import dev.parley.schema.Platform;
import dev.parley.schema.WebPushSubscription;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.PathTemplateMatch;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

/**
 * {@code POST /v1/devices}, {@code DELETE /v1/devices/{id}} and {@code PUT /v1/notification-settings}
 * (an addition to DESIGN section 5: mutes, time zone, quiet hours, content-free pushes), and {@code
 * GET /v1/push/vapid-public-key}: the key a browser subscribes to Web Push with, so the push
 * service accepts only pushes the push sink signed with its private half.
 */
public final class DeviceEndpoints {

    private final DeviceRegistry registry;
    private final WebPushEndpointPolicy webPushEndpoints;
    private final JsonExchange io;
    private final RateLimiters limits;
    private final int maxDevices;
    private final String vapidPublicKey;

    /** {@code vapidPublicKey}: the push sink's, or empty when Web Push is not configured. */
    public DeviceEndpoints(
            DeviceRegistry registry,
            WebPushEndpointPolicy webPushEndpoints,
            JsonExchange io,
            RateLimiters limits,
            int maxDevices,
            String vapidPublicKey) {
        this.vapidPublicKey = vapidPublicKey.trim();
        this.registry = registry;
        this.webPushEndpoints = webPushEndpoints;
        this.io = io;
        this.limits = limits;
        this.maxDevices = maxDevices;
    }

    /**
     * Every registration rewrites the user's device set (Cassandra and a compacted topic), so it
     * is rate-limited ({@code rate.limit.devices.*}) and a user has at most {@code
     * devices.per.user.max} devices: re-registering one of them is always allowed, a new one past
     * the cap is 409 conflict. The body is checked before the token, the device set read after it.
     */
    public void register(HttpServerExchange exchange, String userId) throws Exception {
        JsonNode body = io.readObject(exchange);
        Platform platform;
        try {
            platform =
                    Platform.valueOf(JsonExchange.requiredText(body, "platform").toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "platform must be apns, fcm or webpush");
        }
        // the id rule (400 beyond it); none given: the edge names the device
        String deviceId = JsonExchange.optionalId(body, "device_id");
        if (deviceId == null) {
            deviceId = "dev_" + UUID.randomUUID().toString().replace("-", "");
        }
        String token = null;
        WebPushSubscription web = null;
        if (platform == Platform.WEBPUSH) {
            JsonNode sub = body.get("subscription");
            if (sub == null || !sub.isObject() || !sub.path("keys").isObject()) {
                throw new ApiException(
                        ErrorCode.BAD_REQUEST, "webpush needs subscription {endpoint, keys{p256dh, auth}}");
            }
            String endpoint = JsonExchange.requiredText(sub, "endpoint");
            webPushEndpoints.check(endpoint);
            web = new WebPushSubscription(endpoint, subscriptionKey(sub, "p256dh"), subscriptionKey(sub, "auth"));
        } else {
            token = JsonExchange.requiredText(body, "token");
            if (token.length() > 4096) {
                throw new ApiException(ErrorCode.BAD_REQUEST, "token is too long");
            }
        }
        limits.acquire(RateLimiters.Action.DEVICES, userId);
        List<String> registered = registry.deviceIds(userId);
        if (!registered.contains(deviceId) && registered.size() >= maxDevices) {
            throw new ApiException(
                    ErrorCode.CONFLICT,
                    "a user has at most " + maxDevices + " devices: remove one (DELETE /v1/devices/{id}) first");
        }
        registry.register(userId, new Device(deviceId, platform, token, web, Instant.now()));
        io.send(
                exchange,
                201,
                io.json()
                        .createObjectNode()
                        .put("device_id", deviceId)
                        .put("platform", platform.name().toLowerCase(Locale.ROOT)));
    }

    /**
     * {@code GET /v1/push/vapid-public-key} (public: the key is no secret, and a page may ask before
     * signing in): 200 {@code {"public_key"}}, or 404 {@code not_found} when Web Push is off.
     */
    public void vapidPublicKey(HttpServerExchange exchange, String userId) {
        if (vapidPublicKey.isEmpty()) {
            throw new ApiException(
                    ErrorCode.NOT_FOUND,
                    "Web Push is not configured on this server (devices.webpush.vapid.public.key)");
        }
        io.send(exchange, 200, io.json().createObjectNode().put("public_key", vapidPublicKey));
    }

    /**
     * A removal or a settings change republishes the device set, as a registration does, but is
     * charged to the commands bucket: the devices bucket (one per 10 s) is sized for new devices,
     * and muting conversations one after another must not wait on it.
     */
    public void remove(HttpServerExchange exchange, String userId) throws Exception {
        String deviceId = exchange.getAttachment(PathTemplateMatch.ATTACHMENT_KEY)
                .getParameters()
                .get("id");
        // the rule registrations had before the id rule (non-blank, 128 characters at most), so a
        // device registered then can still be removed; anything longer never was a device
        if (deviceId == null || deviceId.isBlank() || deviceId.length() > ClientInput.MAX_ID_CHARS) {
            throw new ApiException(
                    ErrorCode.BAD_REQUEST, "device id must be 1 to " + ClientInput.MAX_ID_CHARS + " characters");
        }
        limits.acquire(RateLimiters.Action.COMMANDS, userId);
        registry.remove(userId, deviceId);
        io.send(
                exchange,
                200,
                io.json().createObjectNode().put("device_id", deviceId).put("removed", true));
    }

    /**
     * A partial change: each field given replaces the stored one, the others stay. The body is
     * checked whole before the token and the read of the stored settings, so a malformed change
     * costs neither.
     */
    public void updateSettings(HttpServerExchange exchange, String userId) throws Exception {
        JsonNode body = io.readObject(exchange);
        String zone = body.has("time_zone") ? timeZone(JsonExchange.requiredText(body, "time_zone")) : null;
        Integer start = minute(body.get("quiet_start_minute"));
        Integer end = minute(body.get("quiet_end_minute"));
        Boolean contentFree =
                body.has("content_free") ? JsonExchange.optionalBoolean(body, "content_free", false) : null;
        Set<String> muted = body.has("muted") ? new HashSet<>(JsonExchange.idArray(body, "muted")) : null;
        limits.acquire(RateLimiters.Action.COMMANDS, userId);
        DeviceRegistry.Settings current = registry.settings(userId);
        registry.updateSettings(
                userId,
                new DeviceRegistry.Settings(
                        muted != null ? muted : current.muted(),
                        zone != null ? zone : current.timeZone(),
                        body.has("quiet_start_minute") ? start : current.quietStart(),
                        body.has("quiet_end_minute") ? end : current.quietEnd(),
                        contentFree != null ? contentFree : current.contentFree()));
        io.send(exchange, 200, io.json().createObjectNode().put("status", "ok"));
    }

    private static String timeZone(String zone) {
        try {
            ZoneId.of(zone);
        } catch (DateTimeException e) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "unknown time_zone " + zone);
        }
        return zone;
    }

    /** A subscription key: a P-256 point is 87 base64url characters, the auth secret 22. */
    private static String subscriptionKey(JsonNode subscription, String field) {
        String key = JsonExchange.requiredText(subscription.get("keys"), field);
        if (key.length() > 256) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "subscription key " + field + " is too long");
        }
        return key;
    }

    private static Integer minute(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.asInt() < 0 || node.asInt() >= 24 * 60) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "quiet hours are minutes of the day, 0 to 1439");
        }
        return node.asInt();
    }
}
