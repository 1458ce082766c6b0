package dev.parley.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.schema.ConversationType;
import dev.parley.schema.Device;
import dev.parley.schema.DeviceSet;
import dev.parley.schema.Notification;
import dev.parley.schema.ParleySerdes;
import dev.parley.schema.Platform;
import dev.parley.schema.PushRequest;
import dev.parley.schema.ReadMarker;
import dev.parley.schema.Topics;
import dev.parley.topology.notification.NotificationTopology;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NotificationTopologyTest {

    /** 12:00 UTC on a weekday: outside the quiet hours used below unless a test moves it. */
    private static final Instant NOON = Instant.parse("2026-03-02T12:00:00Z");

    private final ParleySerdes serdes = new ParleySerdes();
    private TopologyTestDriver driver;
    private TestInputTopic<String, DeviceSet> devices;
    private TestInputTopic<String, Notification> notify;
    private TestInputTopic<String, ReadMarker> reads;
    private TestOutputTopic<String, PushRequest> pushes;
    private long seq;

    NotificationTopologyTest() throws IOException {
        open(NotificationTopology.DEFAULT_MAX_PER_PUNCTUATION);
    }

    private void open(int maxPerPunctuation) throws IOException {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "parley-notify-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(
                StreamsConfig.STATE_DIR_CONFIG,
                Files.createTempDirectory("notify-ttd").toString());
        driver = new TopologyTestDriver(
                NotificationTopology.build(Duration.ofSeconds(30), Duration.ofSeconds(1), maxPerPunctuation, serdes),
                props,
                NOON);
        devices = driver.createInputTopic(
                Topics.DEVICES.name(),
                new StringSerializer(),
                serdes.deviceSet().serializer());
        notify = driver.createInputTopic(
                Topics.NOTIFY.name(),
                new StringSerializer(),
                serdes.notification().serializer());
        reads = driver.createInputTopic(
                Topics.READS.name(), new StringSerializer(), serdes.readMarker().serializer());
        pushes = driver.createOutputTopic(
                Topics.PUSH.name(),
                new StringDeserializer(),
                serdes.pushRequest().deserializer());
    }

    @AfterEach
    void close() {
        driver.close();
    }

    private static Device device(String id, Platform platform) {
        return new Device(id, platform, "token-" + id, null, NOON);
    }

    private static DeviceSet devicesOf(String user, List<Device> list) {
        return new DeviceSet(user, list, List.of(), "UTC", null, null, false);
    }

    private void message(String user, String conv, String sender, String body) {
        seq++;
        notify.pipeInput(
                user,
                new Notification(
                        user,
                        conv,
                        ConversationType.DIRECT,
                        null,
                        seq,
                        1000 + seq,
                        sender,
                        body,
                        NOON.plusSeconds(seq),
                        null,
                        false,
                        false));
    }

    /** What the router sends every member when message {@code deletedSeq} is deleted for everyone. */
    private void deleted(String user, String conv, long deletedSeq) {
        notify.pipeInput(
                user,
                new Notification(
                        user,
                        conv,
                        ConversationType.DIRECT,
                        null,
                        deletedSeq,
                        0L,
                        "alice",
                        null,
                        NOON.plusSeconds(seq + 1),
                        null,
                        true,
                        false));
    }

    @Test
    void shouldNeverPushTheTextOfAMessageDeletedWhileItsPushWasHeld() {
        // quiet 11:00-12:01 in UTC; it is 12:00
        devices.pipeInput(
                "bob",
                new DeviceSet(
                        "bob", List.of(device("phone", Platform.APNS)), List.of(), "UTC", 11 * 60, 12 * 60 + 1, false));
        message("bob", "d_1", "alice", "oops, wrong chat");
        deleted("bob", "d_1", seq);
        message("bob", "d_2", "alice", "first");
        message("bob", "d_2", "alice", "meant for you");
        deleted("bob", "d_2", seq);
        assertThat(pushes.isEmpty()).as("a retraction is never pushed itself").isTrue();

        driver.advanceWallClockTime(Duration.ofSeconds(65));
        List<PushRequest> sent = pushes.readValuesToList();
        assertThat(sent)
                .as("the only held message of d_1 was deleted: nothing goes out for d_1")
                .extracting(PushRequest::getConversationId)
                .containsExactly("d_2");
        assertThat(sent.get(0).getCount()).isEqualTo(1);
        assertThat(sent.get(0).getBody()).isEqualTo("1 new message from alice");
        assertThat(sent.toString()).doesNotContain("oops, wrong chat").doesNotContain("meant for you");
    }

    @Test
    void shouldNotRecallASentPushNorTouchAHeldOneOfALaterMessage() {
        devices.pipeInput("bob", devicesOf("bob", List.of(device("phone", Platform.APNS))));
        message("bob", "d_1", "alice", "one");
        assertThat(pushes.readValue().getBody()).as("sent at once").isEqualTo("one");
        message("bob", "d_1", "alice", "two");
        deleted("bob", "d_1", seq - 1); // "one" is deleted after its push went out
        driver.advanceWallClockTime(Duration.ofSeconds(31));
        assertThat(pushes.readValue().getBody())
                .as("the held push of a later message")
                .isEqualTo("two");
    }

    @Test
    void shouldReleaseManyHeldPushesAllEventuallyButABoundedNumberPerPunctuation() throws IOException {
        driver.close();
        open(100);
        // 1,000 (device, conversation) entries: 10 devices, 100 conversations
        List<Device> tablets = new ArrayList<>();
        for (int d = 0; d < 10; d++) {
            tablets.add(device("tablet-" + d, Platform.FCM));
        }
        devices.pipeInput("bob", devicesOf("bob", tablets));
        for (int c = 0; c < 100; c++) {
            message("bob", "d_" + c, "alice", "first");
            message("bob", "d_" + c, "alice", "second, held");
        }
        assertThat(pushes.readValuesToList())
                .as("the first of each conversation at once")
                .hasSize(1_000);

        List<Integer> perPunctuation = new ArrayList<>();
        driver.advanceWallClockTime(Duration.ofSeconds(30));
        perPunctuation.add(pushes.readValuesToList().size());
        for (int i = 0; i < 10; i++) {
            driver.advanceWallClockTime(Duration.ofSeconds(1));
            List<PushRequest> released = pushes.readValuesToList();
            assertThat(released).allSatisfy(p -> assertThat(p.getCount()).isEqualTo(1));
            perPunctuation.add(released.size());
        }
        assertThat(perPunctuation).containsExactly(100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 0);

        // once idle for the interval the entries are forgotten, again at most 100 a punctuation
        KeyValueStore<String, ?> pending = driver.getKeyValueStore(NotificationTopology.PENDING_STORE);
        driver.advanceWallClockTime(Duration.ofSeconds(30));
        assertThat(count(pending)).isEqualTo(1_000 - 100);
        for (int i = 0; i < 9; i++) {
            driver.advanceWallClockTime(Duration.ofSeconds(1));
        }
        assertThat(count(pending)).isZero();
        assertThat(count(driver.getKeyValueStore(NotificationTopology.PENDING_DUE_STORE)))
                .isZero();
    }

    private static long count(KeyValueStore<String, ?> store) {
        try (var it = store.all()) {
            long n = 0;
            while (it.hasNext()) {
                it.next();
                n++;
            }
            return n;
        }
    }

    @Test
    void shouldSendOnePushPerDeviceOfAnOfflineUser() {
        devices.pipeInput(
                "bob", devicesOf("bob", List.of(device("phone", Platform.APNS), device("web", Platform.FCM))));
        message("bob", "d_1", "alice", "hi bob");

        List<PushRequest> out = pushes.readValuesToList();
        assertThat(out).extracting(PushRequest::getDeviceId).containsExactlyInAnyOrder("phone", "web");
        assertThat(out).allSatisfy(p -> {
            assertThat(p.getBody()).isEqualTo("hi bob");
            assertThat(p.getTitle()).isEqualTo("alice");
            assertThat(p.getCount()).isEqualTo(1);
            assertThat(p.getToken()).startsWith("token-");
        });
    }

    @Test
    void shouldSendNothingWithoutDevicesOrForAMutedConversationOrARemovedDevice() {
        message("carol", "d_1", "alice", "nobody listens");
        devices.pipeInput(
                "bob",
                new DeviceSet(
                        "bob", List.of(device("phone", Platform.APNS)), List.of("d_muted"), "UTC", null, null, false));
        message("bob", "d_muted", "alice", "shh");
        devices.pipeInput("dave", devicesOf("dave", List.of(device("old", Platform.APNS))));
        devices.pipeInput("dave", (DeviceSet) null);
        message("dave", "d_2", "alice", "gone");
        assertThat(pushes.isEmpty()).isTrue();
    }

    @Test
    void shouldCoalesceMessagesWithinThirtySecondsIntoOneCountedPush() {
        devices.pipeInput("bob", devicesOf("bob", List.of(device("phone", Platform.APNS))));
        message("bob", "d_1", "alice", "one");
        message("bob", "d_1", "alice", "two");
        message("bob", "d_1", "alice", "three");
        assertThat(pushes.readValuesToList()).extracting(PushRequest::getBody).containsExactly("one");

        driver.advanceWallClockTime(Duration.ofSeconds(10));
        assertThat(pushes.isEmpty()).as("still inside the interval").isTrue();
        driver.advanceWallClockTime(Duration.ofSeconds(21));
        PushRequest coalesced = pushes.readValue();
        assertThat(coalesced.getCount()).isEqualTo(2);
        assertThat(coalesced.getBody()).isEqualTo("2 new messages from alice");
        assertThat(coalesced.getLatestSeq()).isEqualTo(3);
        assertThat(pushes.isEmpty()).isTrue();
    }

    @Test
    void shouldRateLimitPerConversationNotPerUser() {
        devices.pipeInput("bob", devicesOf("bob", List.of(device("phone", Platform.APNS))));
        message("bob", "d_1", "alice", "from alice");
        message("bob", "d_2", "carol", "from carol");
        assertThat(pushes.readValuesToList())
                .extracting(PushRequest::getConversationId)
                .containsExactly("d_1", "d_2");
    }

    @Test
    void shouldHoldPushesDuringQuietHoursAndSendThemWhenTheyEnd() {
        // quiet 11:00-12:01 in UTC; it is 12:00
        devices.pipeInput(
                "bob",
                new DeviceSet(
                        "bob", List.of(device("phone", Platform.APNS)), List.of(), "UTC", 11 * 60, 12 * 60 + 1, false));
        message("bob", "d_1", "alice", "late night");
        message("bob", "d_1", "alice", "are you up?");
        assertThat(pushes.isEmpty()).isTrue();
        driver.advanceWallClockTime(Duration.ofSeconds(30));
        assertThat(pushes.isEmpty()).as("quiet hours last until 12:01").isTrue();
        driver.advanceWallClockTime(Duration.ofSeconds(35));
        PushRequest held = pushes.readValue();
        assertThat(held.getCount()).isEqualTo(2);
    }

    @Test
    void shouldApplyQuietHoursInTheUsersTimeZone() {
        // 12:00 UTC is 21:00 in Tokyo: inside 20:00-07:00
        devices.pipeInput(
                "bob",
                new DeviceSet(
                        "bob",
                        List.of(device("phone", Platform.APNS)),
                        List.of(),
                        "Asia/Tokyo",
                        20 * 60,
                        7 * 60,
                        false));
        message("bob", "d_1", "alice", "konbanwa");
        assertThat(pushes.isEmpty()).isTrue();
    }

    @Test
    void shouldLeaveNoMessageTextInContentFreePushes() {
        devices.pipeInput(
                "bob",
                new DeviceSet("bob", List.of(device("phone", Platform.APNS)), List.of(), "UTC", null, null, true));
        message("bob", "d_1", "alice", "secret plans");
        PushRequest push = pushes.readValue();
        assertThat(push.getBody()).isNull();
        assertThat(push.getTitle()).isNull();
        assertThat(push.toString()).doesNotContain("secret plans");
    }

    @Test
    void shouldDropHeldPushesForMessagesReadOnAnotherDevice() {
        devices.pipeInput("bob", devicesOf("bob", List.of(device("phone", Platform.APNS))));
        message("bob", "d_1", "alice", "one");
        message("bob", "d_1", "alice", "two");
        message("bob", "d_1", "alice", "three");
        assertThat(pushes.readValuesToList()).extracting(PushRequest::getBody).containsExactly("one");
        reads.pipeInput("bob", new ReadMarker("bob", "d_1", seq, NOON.plusSeconds(seq + 1)));

        driver.advanceWallClockTime(Duration.ofSeconds(31));
        assertThat(pushes.isEmpty()).as("bob read up to the last held message").isTrue();

        message("bob", "d_1", "alice", "four");
        driver.advanceWallClockTime(Duration.ofSeconds(31));
        assertThat(pushes.readValuesToList())
                .as("a message after the read mark still goes out")
                .extracting(PushRequest::getBody)
                .containsExactly("four");
    }

    @Test
    void shouldKeepHeldPushesNewerThanTheReadMark() {
        devices.pipeInput("bob", devicesOf("bob", List.of(device("phone", Platform.APNS))));
        message("bob", "d_1", "alice", "one");
        message("bob", "d_1", "alice", "two");
        message("bob", "d_1", "alice", "three");
        pushes.readValuesToList();
        reads.pipeInput("bob", new ReadMarker("bob", "d_1", seq - 1, NOON.plusSeconds(seq + 1)));
        driver.advanceWallClockTime(Duration.ofSeconds(31));
        assertThat(pushes.readValue().getLatestSeq()).isEqualTo(seq);
    }

    @Test
    void shouldNameTheSenderByDisplayNameWhenKnown() {
        devices.pipeInput("bob", devicesOf("bob", List.of(device("phone", Platform.APNS))));
        for (int i = 0; i < 3; i++) {
            seq++;
            notify.pipeInput(
                    "bob",
                    new Notification(
                            "bob",
                            "d_1",
                            ConversationType.DIRECT,
                            null,
                            seq,
                            1000 + seq,
                            "u_alice",
                            "m" + seq,
                            NOON.plusSeconds(seq),
                            "Alice Liddell",
                            false,
                            false));
        }
        assertThat(pushes.readValue().getTitle()).isEqualTo("Alice Liddell");
        driver.advanceWallClockTime(Duration.ofSeconds(31));
        assertThat(pushes.readValue().getBody()).isEqualTo("2 new messages from Alice Liddell");
    }
}
