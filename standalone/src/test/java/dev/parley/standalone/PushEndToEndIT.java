package dev.parley.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import com.eatthepath.pushy.apns.ApnsPushNotification;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.testkit.MockApns;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Offline push through the whole {@code ./parley up} stack: edge (devices, send) -> topology ->
 * parley.notify.v1 -> NotificationTopology -> parley.push.v1 -> push sink in the Connect worker ->
 * pushy's MockApnsServer.
 */
class PushEndToEndIT {

    private static final String TOPIC = "dev.parley.app";
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient client = HttpClient.newHttpClient();

    record User(String id, String token) {}

    @Test
    void shouldPushToAnOfflineUsersPhoneWithinFiveSecondsAndNotWhileTheyAreOnline() throws Exception {
        try (MockApns apns = new MockApns(TOPIC)) {
            String deviceToken = MockApns.newDeviceToken();
            apns.register(deviceToken);
            Path data = Files.createTempDirectory("parley-push-e2e");
            Path pushSettings = data.resolve("push.properties");
            Files.writeString(
                    pushSettings,
                    String.join(
                            "\n",
                            "apns.key.file=" + apns.keyFile(),
                            "apns.key.id=" + MockApns.KEY_ID,
                            "apns.team.id=" + MockApns.TEAM_ID,
                            "apns.topic=" + TOPIC,
                            "apns.host=localhost",
                            "apns.port=" + apns.port(),
                            "apns.trust.cert.file=" + apns.certificateFile()));
            try (ParleyProcess parley =
                    new ParleyProcess(data, Map.of("PARLEY_PUSH_CONFIG_FILE", pushSettings.toString()))) {
                parley.start();
                assertThat(parley.output()).anyMatch(l -> l.contains("push sink") && l.contains("ready in"));
                User alice = signUp(parley, "alice", "Alice Liddell");
                User bob = signUp(parley, "bob", "Bob");
                HttpResponse<String> device = parley.http(
                        "POST",
                        "/v1/devices",
                        bob.token(),
                        "{\"platform\":\"apns\",\"token\":\"" + deviceToken + "\",\"device_id\":\"bobs-phone\"}");
                assertThat(device.statusCode()).as(device.body()).isEqualTo(201);
                HttpResponse<String> direct = parley.http(
                        "POST",
                        "/v1/conversations",
                        alice.token(),
                        "{\"type\":\"direct\",\"members\":[\"" + bob.id() + "\"]}");
                assertThat(direct.statusCode()).as(direct.body()).isEqualTo(201);
                String conv =
                        json.readTree(direct.body()).path("conversation_id").asText();

                // bob has no socket: the message becomes a push
                long sentAt = System.nanoTime();
                HttpResponse<String> sent = parley.http(
                        "POST",
                        "/v1/conversations/" + conv + "/messages",
                        alice.token(),
                        "{\"id\":\"p1\",\"body\":\"are you there?\"}");
                assertThat(sent.statusCode()).as(sent.body()).isEqualTo(200);
                ApnsPushNotification push = apns.nextAccepted(5, TimeUnit.SECONDS);
                Duration took = Duration.ofNanos(System.nanoTime() - sentAt);
                assertThat(push).as("APNs got the push within 5 s of the send").isNotNull();
                System.out.printf("push e2e: HTTP send to APNs accept in %d ms%n", took.toMillis());
                assertThat(push.getToken()).isEqualTo(deviceToken);
                assertThat(push.getTopic()).isEqualTo(TOPIC);
                JsonNode payload = json.readTree(push.getPayload());
                assertThat(payload.at("/aps/alert/body").asText()).isEqualTo("are you there?");
                assertThat(payload.at("/aps/alert/title").asText()).isEqualTo("Alice Liddell");
                assertThat(payload.path("conversation_id").asText()).isEqualTo(conv);
                assertThat(payload.path("seq").asLong()).isEqualTo(1);

                // bob comes online: the next message reaches his socket and no push is sent
                BlockingQueue<String> frames = new LinkedBlockingQueue<>();
                WebSocket socket = client.newWebSocketBuilder()
                        .header("Authorization", "Bearer " + bob.token())
                        .buildAsync(URI.create("ws://127.0.0.1:" + parley.httpPort() + "/v1/ws"), collector(frames))
                        .get(10, TimeUnit.SECONDS);
                Thread.sleep(2_000); // past the session cache of the router (about 1 s)
                HttpResponse<String> second = parley.http(
                        "POST",
                        "/v1/conversations/" + conv + "/messages",
                        alice.token(),
                        "{\"id\":\"p2\",\"body\":\"there you are\"}");
                assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
                String frame;
                boolean delivered = false;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!delivered
                        && (frame = frames.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) != null) {
                    delivered = frame.contains("there you are");
                }
                assertThat(delivered).as("bob's socket got the message").isTrue();
                assertThat(apns.nextAccepted(8, TimeUnit.SECONDS))
                        .as("no push for a user who is online")
                        .isNull();
                socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
            }
        }
    }

    private User signUp(ParleyProcess parley, String name, String displayName) throws Exception {
        String credentials = "{\"username\":\"" + name + "\",\"password\":\"correct horse\"}";
        HttpResponse<String> created = parley.http(
                "POST",
                "/v1/users",
                null,
                "{\"username\":\"" + name + "\",\"password\":\"correct horse\",\"display_name\":\"" + displayName
                        + "\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        HttpResponse<String> login = parley.http("POST", "/v1/tokens", null, credentials);
        assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
        return new User(
                json.readTree(created.body()).path("user_id").asText(),
                json.readTree(login.body()).path("access_token").asText());
    }

    private static WebSocket.Listener collector(BlockingQueue<String> frames) {
        return new WebSocket.Listener() {
            private final StringBuilder partial = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    frames.add(partial.toString());
                    partial.setLength(0);
                }
                ws.request(1);
                return null;
            }
        };
    }
}
