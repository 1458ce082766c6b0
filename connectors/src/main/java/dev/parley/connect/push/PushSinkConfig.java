package dev.parley.connect.push;

import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.types.Password;

/**
 * Settings of {@link PushSinkConnector}. A provider is enabled by its credentials: leave them empty
 * and pushes for that platform are skipped (counted and logged, not dead-lettered), which is what a
 * laptop without Apple or Google accounts wants. The README table lists every key.
 */
public final class PushSinkConfig extends AbstractConfig {

    public static final String APNS_KEY_FILE = "apns.key.file";
    public static final String APNS_KEY_ID = "apns.key.id";
    public static final String APNS_TEAM_ID = "apns.team.id";
    public static final String APNS_TOPIC = "apns.topic";
    public static final String APNS_HOST = "apns.host";
    public static final String APNS_PORT = "apns.port";
    public static final String APNS_TRUST_CERT_FILE = "apns.trust.cert.file";
    public static final String FCM_SERVICE_ACCOUNT_FILE = "fcm.service.account.file";
    public static final String FCM_ENDPOINT = "fcm.endpoint";
    public static final String VAPID_PUBLIC_KEY = "webpush.vapid.public.key";
    public static final String VAPID_PRIVATE_KEY = "webpush.vapid.private.key";
    public static final String VAPID_SUBJECT = "webpush.vapid.subject";
    public static final String MAX_ATTEMPTS = "push.max.attempts";
    public static final String RETRY_BACKOFF_MS = "push.retry.backoff.ms";
    public static final String RETRY_MAX_BACKOFF_MS = "push.retry.max.backoff.ms";
    public static final String MAX_IN_FLIGHT = "push.max.in.flight.per.provider";
    public static final String MAX_PENDING = "push.max.pending";
    public static final String CONTACT_POINTS = "cassandra.contact.points";
    public static final String DATACENTER = "cassandra.datacenter";
    public static final String KEYSPACE = "cassandra.keyspace";
    public static final String DEVICES_BOOTSTRAP = "devices.bootstrap.servers";

    private static final String APNS = "APNs";
    private static final String FCM = "FCM";
    private static final String WEB_PUSH = "Web Push";
    private static final String DELIVERY = "Delivery";
    private static final String DEVICES = "Device removal";

    public static final ConfigDef CONFIG = new ConfigDef()
            .define(
                    APNS_KEY_FILE,
                    Type.STRING,
                    "",
                    Importance.HIGH,
                    "Path of the APNs auth key (.p8, PKCS#8 PEM). Empty disables APNs.",
                    APNS,
                    1,
                    ConfigDef.Width.LONG,
                    APNS_KEY_FILE)
            .define(
                    APNS_KEY_ID,
                    Type.STRING,
                    "",
                    Importance.HIGH,
                    "Key ID of the auth key (10 characters, from Apple).",
                    APNS,
                    2,
                    ConfigDef.Width.SHORT,
                    APNS_KEY_ID)
            .define(
                    APNS_TEAM_ID,
                    Type.STRING,
                    "",
                    Importance.HIGH,
                    "Apple developer team ID.",
                    APNS,
                    3,
                    ConfigDef.Width.SHORT,
                    APNS_TEAM_ID)
            .define(
                    APNS_TOPIC,
                    Type.STRING,
                    "",
                    Importance.HIGH,
                    "The app's bundle ID (apns-topic).",
                    APNS,
                    4,
                    ConfigDef.Width.MEDIUM,
                    APNS_TOPIC)
            .define(
                    APNS_HOST,
                    Type.STRING,
                    "api.push.apple.com",
                    Importance.MEDIUM,
                    "APNs host: api.push.apple.com, api.sandbox.push.apple.com, or a mock.",
                    APNS,
                    5,
                    ConfigDef.Width.MEDIUM,
                    APNS_HOST)
            .define(
                    APNS_PORT,
                    Type.INT,
                    443,
                    Range.between(1, 65535),
                    Importance.LOW,
                    "APNs port (443, or 2197).",
                    APNS,
                    6,
                    ConfigDef.Width.SHORT,
                    APNS_PORT)
            .define(
                    APNS_TRUST_CERT_FILE,
                    Type.STRING,
                    "",
                    Importance.LOW,
                    "PEM certificate to trust instead of the JDK's CAs (a mock server). Empty in production.",
                    APNS,
                    7,
                    ConfigDef.Width.LONG,
                    APNS_TRUST_CERT_FILE)
            .define(
                    FCM_SERVICE_ACCOUNT_FILE,
                    Type.STRING,
                    "",
                    Importance.HIGH,
                    "Path of the Firebase service account JSON. Empty disables FCM.",
                    FCM,
                    1,
                    ConfigDef.Width.LONG,
                    FCM_SERVICE_ACCOUNT_FILE)
            .define(
                    FCM_ENDPOINT,
                    Type.STRING,
                    "https://fcm.googleapis.com",
                    Importance.LOW,
                    "FCM API base URL.",
                    FCM,
                    2,
                    ConfigDef.Width.LONG,
                    FCM_ENDPOINT)
            .define(
                    VAPID_PUBLIC_KEY,
                    Type.STRING,
                    "",
                    Importance.HIGH,
                    "VAPID public key, base64url uncompressed P-256 point. Empty disables Web Push.",
                    WEB_PUSH,
                    1,
                    ConfigDef.Width.LONG,
                    VAPID_PUBLIC_KEY)
            .define(
                    VAPID_PRIVATE_KEY,
                    Type.PASSWORD,
                    "",
                    Importance.HIGH,
                    "VAPID private key, base64url 32 bytes.",
                    WEB_PUSH,
                    2,
                    ConfigDef.Width.LONG,
                    VAPID_PRIVATE_KEY)
            .define(
                    VAPID_SUBJECT,
                    Type.STRING,
                    "mailto:ops@example.com",
                    Importance.MEDIUM,
                    "VAPID subject: a mailto: or https: contact for push services.",
                    WEB_PUSH,
                    3,
                    ConfigDef.Width.MEDIUM,
                    VAPID_SUBJECT)
            .define(
                    MAX_ATTEMPTS,
                    Type.INT,
                    5,
                    Range.between(1, 100),
                    Importance.MEDIUM,
                    "Tries per push (429, 5xx, network) before it goes to the dead-letter topic.",
                    DELIVERY,
                    1,
                    ConfigDef.Width.SHORT,
                    MAX_ATTEMPTS)
            .define(
                    RETRY_BACKOFF_MS,
                    Type.LONG,
                    1_000L,
                    Range.atLeast(1),
                    Importance.LOW,
                    "First retry delay when the provider gives no Retry-After; doubles per try, with jitter.",
                    DELIVERY,
                    2,
                    ConfigDef.Width.SHORT,
                    RETRY_BACKOFF_MS)
            .define(
                    RETRY_MAX_BACKOFF_MS,
                    Type.LONG,
                    60_000L,
                    Range.atLeast(1),
                    Importance.LOW,
                    "Longest wait between tries, Retry-After included.",
                    DELIVERY,
                    3,
                    ConfigDef.Width.SHORT,
                    RETRY_MAX_BACKOFF_MS)
            .define(
                    MAX_IN_FLIGHT,
                    Type.INT,
                    200,
                    Range.between(1, 10_000),
                    Importance.LOW,
                    "Concurrent requests per provider; more wait in that provider's queue only.",
                    DELIVERY,
                    4,
                    ConfigDef.Width.SHORT,
                    MAX_IN_FLIGHT)
            .define(
                    MAX_PENDING,
                    Type.INT,
                    10_000,
                    Range.atLeast(1),
                    Importance.LOW,
                    "Unfinished pushes per task before it pauses consuming (bounds memory when a provider stalls).",
                    DELIVERY,
                    5,
                    ConfigDef.Width.SHORT,
                    MAX_PENDING)
            .define(
                    CONTACT_POINTS,
                    Type.LIST,
                    "127.0.0.1:9042",
                    Importance.HIGH,
                    "Cassandra host:port pairs holding the devices table.",
                    DEVICES,
                    1,
                    ConfigDef.Width.LONG,
                    CONTACT_POINTS)
            .define(
                    DATACENTER,
                    Type.STRING,
                    "datacenter1",
                    Importance.MEDIUM,
                    "The driver's local datacenter.",
                    DEVICES,
                    2,
                    ConfigDef.Width.SHORT,
                    DATACENTER)
            .define(
                    KEYSPACE,
                    Type.STRING,
                    "parley",
                    Importance.MEDIUM,
                    "Keyspace of the devices table.",
                    DEVICES,
                    3,
                    ConfigDef.Width.SHORT,
                    KEYSPACE)
            .define(
                    DEVICES_BOOTSTRAP,
                    Type.STRING,
                    ConfigDef.NO_DEFAULT_VALUE,
                    Importance.HIGH,
                    "Kafka bootstrap servers for publishing a user's DeviceSet after a dead token is removed.",
                    DEVICES,
                    4,
                    ConfigDef.Width.LONG,
                    DEVICES_BOOTSTRAP);

    public PushSinkConfig(Map<?, ?> originals) {
        super(CONFIG, originals);
    }

    boolean apnsEnabled() {
        return !getString(APNS_KEY_FILE).isBlank();
    }

    boolean fcmEnabled() {
        return !getString(FCM_SERVICE_ACCOUNT_FILE).isBlank();
    }

    boolean webPushEnabled() {
        return !getString(VAPID_PUBLIC_KEY).isBlank();
    }

    String vapidPrivateKey() {
        Password p = getPassword(VAPID_PRIVATE_KEY);
        return p == null ? "" : p.value();
    }
}
