package dev.parley.connect.push;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.eatthepath.pushy.apns.ApnsPushNotification;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.connect.RecordingContext;
import dev.parley.devices.DeviceRegistry;
import dev.parley.schema.CassandraSessions;
import dev.parley.schema.Device;
import dev.parley.schema.DeviceSet;
import dev.parley.schema.ParleySerdes;
import dev.parley.schema.Platform;
import dev.parley.schema.PushRequest;
import dev.parley.schema.TopicProvisioner;
import dev.parley.schema.Topics;
import dev.parley.schema.WebPushSubscription;
import dev.parley.testkit.CassandraNodeExtension;
import dev.parley.testkit.KafkaClusterExtension;
import dev.parley.testkit.MockApns;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The push sink task against pushy's MockApnsServer (real APNs HTTP/2 + TLS + JWT), a local FCM
 * v1 and OAuth2 endpoint, and a local Web Push service; dead devices are removed through the real
 * registry (Cassandra 5 + the devices topic on a real broker).
 */
@ExtendWith({KafkaClusterExtension.class, CassandraNodeExtension.class})
class PushSinkIT {

    private static final String TOPIC = "dev.parley.app";
    private static final TopicPartition PARTITION = new TopicPartition(Topics.PUSH.name(), 0);

    private static MockApns apns;
    private static FakeFcm fcm;
    private static FakeWebPushService webPush;
    private static KeyPair vapid;
    private static Path serviceAccount;
    private static String keyspace;
    private static CqlSession cassandra;
    private static DeviceRegistry registry;

    private final ParleySerdes serdes = new ParleySerdes();
    private final ObjectMapper json = new ObjectMapper();
    private final AtomicLong offsets = new AtomicLong();
    private RecordingContext context;
    private PushSinkTask task;

    @BeforeAll
    static void startProviders() throws Exception {
        apns = new MockApns(TOPIC);
        fcm = new FakeFcm();
        webPush = new FakeWebPushService();
        vapid = WebPushSubscriber.newP256();
        serviceAccount = fcm.writeServiceAccount(Files.createTempDirectory("fcm"));
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", KafkaClusterExtension.bootstrapServers()))) {
            new TopicProvisioner(admin, (short) 1, 1, null).provisionCatalogue();
        }
        keyspace = CassandraNodeExtension.newMigratedKeyspace();
        cassandra = CassandraSessions.open(
                List.of("127.0.0.1:" + CassandraNodeExtension.port()), "datacenter1", keyspace, Duration.ofSeconds(10));
        registry =
                new DeviceRegistry(cassandra, KafkaClusterExtension.bootstrapServers(), new ParleySerdes().deviceSet());
    }

    @AfterAll
    static void stopProviders() throws Exception {
        registry.close();
        cassandra.close();
        apns.close();
        fcm.close();
        webPush.close();
    }

    private Map<String, String> config() {
        Map<String, String> c = new HashMap<>();
        c.put(PushSinkConfig.APNS_KEY_FILE, apns.keyFile().toString());
        c.put(PushSinkConfig.APNS_KEY_ID, MockApns.KEY_ID);
        c.put(PushSinkConfig.APNS_TEAM_ID, MockApns.TEAM_ID);
        c.put(PushSinkConfig.APNS_TOPIC, TOPIC);
        c.put(PushSinkConfig.APNS_HOST, "localhost");
        c.put(PushSinkConfig.APNS_PORT, Integer.toString(apns.port()));
        c.put(PushSinkConfig.APNS_TRUST_CERT_FILE, apns.certificateFile().toString());
        c.put(PushSinkConfig.FCM_SERVICE_ACCOUNT_FILE, serviceAccount.toString());
        c.put(PushSinkConfig.FCM_ENDPOINT, fcm.baseUrl());
        c.put(PushSinkConfig.VAPID_PUBLIC_KEY, WebPushSubscriber.vapidPublic(vapid));
        c.put(PushSinkConfig.VAPID_PRIVATE_KEY, WebPushSubscriber.vapidPrivate(vapid));
        c.put(PushSinkConfig.VAPID_SUBJECT, "mailto:ops@parley.dev");
        c.put(PushSinkConfig.MAX_ATTEMPTS, "3");
        c.put(PushSinkConfig.RETRY_BACKOFF_MS, "100");
        c.put(PushSinkConfig.CONTACT_POINTS, "127.0.0.1:" + CassandraNodeExtension.port());
        c.put(PushSinkConfig.KEYSPACE, keyspace);
        c.put(PushSinkConfig.DEVICES_BOOTSTRAP, KafkaClusterExtension.bootstrapServers());
        return c;
    }

    @BeforeEach
    void startTask() {
        task = start(config());
    }

    private PushSinkTask start(Map<String, String> config) {
        context = new RecordingContext();
        context.assignment.add(PARTITION);
        PushSinkTask t = new PushSinkTask();
        t.initialize(context);
        t.start(config);
        return t;
    }

    @AfterEach
    void stopTask() {
        task.stop();
    }

    private static PushRequest push(String user, Platform platform, String token, WebPushSubscription web) {
        return new PushRequest(
                "dev-" + UUID.randomUUID(),
                user,
                platform,
                token,
                web,
                "d_alice_" + user,
                "alice",
                "hi " + user,
                1,
                7L,
                Instant.now());
    }

    /** Puts one record at the next offset and returns that offset. */
    private long put(PushRequest push) {
        long offset = offsets.getAndIncrement();
        byte[] value = serdes.pushRequest().serialize(Topics.PUSH.name(), push);
        task.put(List.of(new SinkRecord(Topics.PUSH.name(), 0, null, push.getDeviceId(), null, value, offset)));
        return offset;
    }

    private long committable() {
        OffsetAndMetadata consumed = new OffsetAndMetadata(offsets.get());
        return task.preCommit(Map.of(PARTITION, consumed)).get(PARTITION).offset();
    }

    /** Calls put with no records, as the worker does on every poll, until nothing is unfinished. */
    private void awaitAllFinished() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (task.unfinished() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
            task.put(List.of());
        }
        assertThat(task.unfinished()).as("pushes still unfinished").isZero();
    }

    @Test
    void shouldDeliverToApnsWithTheRightPayloadAndCommitOnlyOnceSent() throws Exception {
        String token = MockApns.newDeviceToken();
        apns.register(token);
        PushRequest push = push("bob", Platform.APNS, token, null);
        put(push);

        ApnsPushNotification got = apns.nextAccepted(5, TimeUnit.SECONDS);
        assertThat(got).as("the mock APNs server accepted the push").isNotNull();
        assertThat(got.getToken()).isEqualTo(token);
        assertThat(got.getTopic()).isEqualTo(TOPIC);
        assertThat(got.getCollapseId()).hasSize(32);
        JsonNode payload = json.readTree(got.getPayload());
        assertThat(payload.at("/aps/alert/title").asText()).isEqualTo("alice");
        assertThat(payload.at("/aps/alert/body").asText()).isEqualTo("hi bob");
        assertThat(payload.at("/aps/thread-id").asText()).isEqualTo(push.getConversationId());
        assertThat(payload.path("conversation_id").asText()).isEqualTo(push.getConversationId());
        assertThat(payload.path("seq").asLong()).isEqualTo(7);
        awaitAllFinished();
        assertThat(committable()).isEqualTo(offsets.get());
        assertThat(outcomes("apns", "accepted")).isEqualTo(1);
    }

    @Test
    void shouldSendContentFreePushesWithoutMessageText() throws Exception {
        String token = MockApns.newDeviceToken();
        apns.register(token);
        PushRequest push = push("carol", Platform.APNS, token, null);
        push.setTitle(null);
        push.setBody(null);
        put(push);
        ApnsPushNotification got = apns.nextAccepted(5, TimeUnit.SECONDS);
        assertThat(got.getPayload()).doesNotContain("hi carol").contains(PushContent.GENERIC_TITLE);
    }

    @Test
    void shouldRemoveDevicesApnsNoLongerKnows() throws Exception {
        String user = "u" + UUID.randomUUID();
        String expired = MockApns.newDeviceToken();
        String unknown = MockApns.newDeviceToken();
        String good = MockApns.newDeviceToken();
        apns.expire(expired);
        apns.register(good);
        registry.register(user, new Device("old-phone", Platform.APNS, expired, null, Instant.now()));
        registry.register(user, new Device("typo-phone", Platform.APNS, unknown, null, Instant.now()));
        registry.register(user, new Device("phone", Platform.APNS, good, null, Instant.now()));

        PushRequest toExpired = push(user, Platform.APNS, expired, null);
        toExpired.setDeviceId("old-phone");
        PushRequest toUnknown = push(user, Platform.APNS, unknown, null);
        toUnknown.setDeviceId("typo-phone");
        put(toExpired);
        put(toUnknown);
        awaitAllFinished();

        assertThat(deviceIds(cassandra, user)).containsExactly("phone");
        DeviceSet published =
                latestDeviceSet(user, set -> set != null && set.getDevices().size() == 1);
        assertThat(published.getDevices()).extracting(Device::getDeviceId).containsExactly("phone");
        assertThat(context.deadLetters).isEmpty();
    }

    @Test
    void shouldKeepADeviceReRegisteredWithANewTokenMeanwhile() throws Exception {
        String user = "u" + UUID.randomUUID();
        String expired = MockApns.newDeviceToken();
        apns.expire(expired);
        registry.register(user, new Device("phone", Platform.APNS, "fresh-token", null, Instant.now()));
        PushRequest stale = push(user, Platform.APNS, expired, null);
        stale.setDeviceId("phone");
        put(stale);
        awaitAllFinished();
        assertThat(deviceIds(cassandra, user)).containsExactly("phone");
    }

    @Test
    void shouldSendFcmV1RequestsAsDocumented() throws Exception {
        String token = "fcm-" + UUID.randomUUID();
        put(push("dave", Platform.FCM, token, null));
        FakeFcm.Received got = awaitFcm(token);
        assertThat(fcm.tokenGrantErrors).isEmpty();
        assertThat(got.authorization()).isEqualTo("Bearer " + FakeFcm.ACCESS_TOKEN);
        assertThat(got.contentType()).startsWith("application/json");
        assertThat(got.message().at("/notification/title").asText()).isEqualTo("alice");
        assertThat(got.message().at("/notification/body").asText()).isEqualTo("hi dave");
        assertThat(got.message().at("/data/seq").isTextual())
                .as("FCM data values are strings")
                .isTrue();
        assertThat(got.message().at("/data/conversation_id").asText()).isEqualTo("d_alice_dave");
        assertThat(got.message().at("/android/collapse_key").asText()).hasSize(32);
        awaitAllFinished();
        assertThat(context.deadLetters).isEmpty();
    }

    @Test
    void shouldHonourRetryAfterThenDeliver() throws Exception {
        String token = "fcm-" + UUID.randomUUID();
        fcm.script(
                token,
                FakeFcm.Reply.error(429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED", "quota", "1"),
                FakeFcm.Reply.error(503, "UNAVAILABLE", "UNAVAILABLE", "busy", "1"));
        long offset = put(push("erin", Platform.FCM, token, null));
        FakeFcm.Received first = awaitFcm(token);
        assertThat(committable())
                .as("nothing past an unfinished push is committed")
                .isEqualTo(offset);
        FakeFcm.Received second = awaitFcm(token);
        FakeFcm.Received third = awaitFcm(token);
        assertThat(Duration.ofNanos(second.atNanos() - first.atNanos())).isGreaterThanOrEqualTo(Duration.ofMillis(950));
        assertThat(Duration.ofNanos(third.atNanos() - second.atNanos())).isGreaterThanOrEqualTo(Duration.ofMillis(950));
        awaitAllFinished();
        assertThat(context.deadLetters).isEmpty();
        assertThat(committable()).isEqualTo(offset + 1);
        assertThat(outcomes("fcm", "retried")).isEqualTo(2);
        assertThat(outcomes("fcm", "accepted")).isEqualTo(1);
    }

    @Test
    void shouldDeadLetterAfterMaxAttempts() throws Exception {
        String token = "fcm-" + UUID.randomUUID();
        FakeFcm.Reply down = FakeFcm.Reply.error(500, "INTERNAL", "INTERNAL", "down", null);
        fcm.script(token, down, down, down, down, down);
        long offset = put(push("fay", Platform.FCM, token, null));
        awaitAllFinished();
        List<FakeFcm.Received> tries = new ArrayList<>();
        FakeFcm.Received r;
        while ((r = fcm.received.poll(200, TimeUnit.MILLISECONDS)) != null) {
            if (token.equals(r.token())) {
                tries.add(r);
            }
        }
        assertThat(tries).hasSize(3);
        assertThat(context.deadLetters).hasSize(1);
        assertThat(context.deadLetters.get(0).record().kafkaOffset()).isEqualTo(offset);
        assertThat(context.deadLetters.get(0).error().getMessage()).contains("gave up after 3 tries", "500");
        assertThat(outcomes("fcm", "retried")).isEqualTo(2);
        assertThat(outcomes("fcm", "dead_lettered")).isEqualTo(1);
        assertThat(outcomes("fcm", "accepted")).isZero();
    }

    /** The task's push-outcomes-total plugin metric (kafka_plugins_push_outcomes_total in Prometheus). */
    private double outcomes(String provider, String outcome) {
        return context.pluginMetric("push-outcomes-total", Map.of("provider", provider, "outcome", outcome));
    }

    @Test
    void shouldReportDeadLettersFromTheTaskThreadAndHoldTheOffsetUntilThen() throws Exception {
        String token = "fcm-" + UUID.randomUUID();
        fcm.script(token, FakeFcm.Reply.error(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT", "bad payload", null));
        long offset = put(push("gil", Platform.FCM, token, null));
        awaitFcm(token);
        assertThat(committable())
                .as("not committed past the failed push before it is dead-lettered")
                .isEqualTo(offset);
        awaitAllFinished();
        assertThat(context.deadLetters).hasSize(1);
        assertThat(context.deadLetters.get(0).thread())
                .as("reported from the task thread (put), not a provider's callback thread")
                .isSameAs(Thread.currentThread());
        assertThat(committable()).isEqualTo(offset + 1);
    }

    @Test
    void shouldRemoveAnUnregisteredFcmDeviceAndDeadLetterABadRequest() throws Exception {
        String user = "u" + UUID.randomUUID();
        String token = "fcm-" + UUID.randomUUID();
        registry.register(user, new Device("pixel", Platform.FCM, token, null, Instant.now()));
        fcm.script(
                token, FakeFcm.Reply.error(404, "NOT_FOUND", "UNREGISTERED", "Requested entity was not found.", null));
        PushRequest p = push(user, Platform.FCM, token, null);
        p.setDeviceId("pixel");
        put(p);
        String broken = "fcm-" + UUID.randomUUID();
        fcm.script(
                broken, FakeFcm.Reply.error(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT", "Invalid JSON payload", null));
        put(push(user, Platform.FCM, broken, null));
        awaitAllFinished();
        assertThat(deviceIds(cassandra, user)).isEmpty();
        assertThat(context.deadLetters).hasSize(1);
        assertThat(context.deadLetters.get(0).error().getMessage()).contains("INVALID_ARGUMENT");
    }

    @Test
    void shouldEncryptWebPushSoOnlyTheSubscriberCanReadIt() throws Exception {
        WebPushSubscriber browser = new WebPushSubscriber();
        String id = UUID.randomUUID().toString();
        put(push("gus", Platform.WEBPUSH, null, browser.subscription(webPush.endpoint(id))));
        FakeWebPushService.Received got = awaitWebPush(id);
        assertThat(got.headers()).containsEntry("content-encoding", "aes128gcm").containsEntry("urgency", "high");
        assertThat(got.headers().get("ttl")).isEqualTo("86400");
        assertThat(got.headers().get("topic")).hasSize(32);
        assertThat(new String(got.body(), StandardCharsets.ISO_8859_1)).doesNotContain("hi gus");
        JsonNode vapidClaims = WebPushSubscriber.verifyVapid(
                got.headers().get("authorization"), WebPushSubscriber.vapidPublic(vapid), webPush.origin());
        assertThat(vapidClaims.path("sub").asText()).isEqualTo("mailto:ops@parley.dev");
        JsonNode payload = json.readTree(browser.decrypt(got.body()));
        assertThat(payload.path("title").asText()).isEqualTo("alice");
        assertThat(payload.path("body").asText()).isEqualTo("hi gus");
        assertThat(payload.path("seq").asLong()).isEqualTo(7);
    }

    @Test
    void shouldRemoveAnExpiredWebPushSubscription() throws Exception {
        String user = "u" + UUID.randomUUID();
        String id = UUID.randomUUID().toString();
        WebPushSubscription sub = new WebPushSubscriber().subscription(webPush.endpoint(id));
        registry.register(user, new Device("firefox", Platform.WEBPUSH, null, sub, Instant.now()));
        webPush.answer(id, 410);
        PushRequest p = push(user, Platform.WEBPUSH, null, sub);
        p.setDeviceId("firefox");
        put(p);
        awaitAllFinished();
        assertThat(deviceIds(cassandra, user)).isEmpty();
        assertThat(latestDeviceSet(user, set -> set == null))
                .as("no device left: a tombstone")
                .isNull();
    }

    @Test
    void shouldNotLetASlowProviderStallTheOthers() throws Exception {
        String slow = "fcm-" + UUID.randomUUID();
        fcm.script(slow, FakeFcm.Reply.slow(4_000));
        long slowOffset = put(push("hal", Platform.FCM, slow, null));
        String token = MockApns.newDeviceToken();
        apns.register(token);
        long started = System.nanoTime();
        put(push("ivy", Platform.APNS, token, null));
        assertThat(apns.nextAccepted(2, TimeUnit.SECONDS))
                .as("APNs is not held up by FCM")
                .isNotNull();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
        assertThat(committable()).as("the slow push holds the commit back").isEqualTo(slowOffset);
        awaitAllFinished();
        assertThat(committable()).isEqualTo(offsets.get());
    }

    @Test
    void shouldSkipPlatformsWithoutCredentialsAndDeadLetterUndecodableRecords() throws Exception {
        task.stop();
        Map<String, String> apnsOnly = config();
        apnsOnly.put(PushSinkConfig.FCM_SERVICE_ACCOUNT_FILE, "");
        apnsOnly.put(PushSinkConfig.VAPID_PUBLIC_KEY, "");
        task = start(apnsOnly);
        put(push("jan", Platform.FCM, "fcm-x", null));
        task.put(List.of(new SinkRecord(
                Topics.PUSH.name(),
                0,
                null,
                "k",
                null,
                "not avro".getBytes(StandardCharsets.UTF_8),
                offsets.getAndIncrement())));
        assertThat(task.skipped(Platform.FCM)).isEqualTo(1);
        assertThat(outcomes("fcm", "skipped")).isEqualTo(1);
        assertThat(context.deadLetters).hasSize(1);
        assertThat(committable()).isEqualTo(offsets.get());
    }

    private static List<String> deviceIds(CqlSession s, String user) {
        List<String> ids = new ArrayList<>();
        s.execute("SELECT device_id FROM devices WHERE user_id = ?", user).forEach(row -> ids.add(row.getString(0)));
        return ids;
    }

    private FakeFcm.Received awaitFcm(String token) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            FakeFcm.Received r = fcm.received.poll(100, TimeUnit.MILLISECONDS);
            if (r != null && token.equals(r.token())) {
                return r;
            }
        }
        throw new AssertionError(
                "FCM never got a request for " + token + "; token grant problems: " + fcm.tokenGrantErrors);
    }

    private FakeWebPushService.Received awaitWebPush(String id) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            FakeWebPushService.Received r = webPush.received.poll(100, TimeUnit.MILLISECONDS);
            if (r != null && r.path().equals("/push/" + id)) {
                return r;
            }
        }
        throw new AssertionError("the push service never got a request for " + id);
    }

    /** The newest DeviceSet of a user on parley.devices.v1 once {@code done} holds (null: tombstone). */
    private DeviceSet latestDeviceSet(String user, java.util.function.Predicate<DeviceSet> done) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaClusterExtension.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "push-it-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.DEVICES.name()));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            boolean seen = false;
            DeviceSet latest = null;
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (user.equals(r.key())) {
                        seen = true;
                        latest = r.value() == null ? null : serdes.deviceSet().deserialize(r.topic(), r.value());
                    }
                }
                if (seen && done.test(latest)) {
                    return latest;
                }
            }
            throw new AssertionError("no matching DeviceSet for " + user + "; last: " + latest);
        }
    }
}
