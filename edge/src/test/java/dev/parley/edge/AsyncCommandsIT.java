package dev.parley.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.schema.ConversationIds;
import dev.parley.testkit.CassandraNodeExtension;
import dev.parley.testkit.ErrorLog;
import dev.parley.testkit.KafkaClusterExtension;
import dev.parley.testkit.RedisServerExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * HTTP commands wait for the topology's answer without holding an API thread (issue #15): a real
 * edge on real Kafka, Redis and Cassandra with no topology running, so no command is ever answered.
 * While {@value #WAITING} sends wait (the bound of {@code http.commands.max.waiting}, far more than
 * the 16 API threads), health, a history page and a socket upgrade are served; one send more is
 * refused at once; then every waiting send gets its timeout answer, not the pool's 503.
 */
@ExtendWith({KafkaClusterExtension.class, RedisServerExtension.class, CassandraNodeExtension.class})
class AsyncCommandsIT {

    private static final int WAITING = 200;
    private static final long SEND_TIMEOUT_MS = 8_000;
    private static final int LATENCY_SAMPLES = 200;

    private static final HttpClient HTTP =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static EdgeFixture fixture;
    private static EdgeMain.RunningEdge edge;
    private static ErrorLog log;

    @BeforeAll
    static void start() throws Exception {
        log = ErrorLog.attach();
        fixture = EdgeFixture.withoutTopology();
        Map<String, Object> s =
                fixture.settings("async-edge-" + UUID.randomUUID().toString().substring(0, 6));
        s.put(EdgeSettings.SEND_TIMEOUT_MS, SEND_TIMEOUT_MS);
        s.put(EdgeSettings.HTTP_COMMANDS_MAX_WAITING, WAITING);
        s.put(EdgeSettings.RATE_PER_SECOND, 1_000.0);
        s.put(EdgeSettings.RATE_BURST, 1_000);
        edge = fixture.edge(s);
    }

    @AfterAll
    static void stop() {
        try {
            log.assertNoEdgeErrors();
        } finally {
            log.detach();
            fixture.close();
        }
    }

    @Test
    void shouldServeHealthHistoryAndUpgradesWhileCommandsWaitThenAnswerThemWithTheTimeout() throws Exception {
        int port = edge.port();
        TestClient alice = TestClient.register(port, "async_alice");
        String conversation = ConversationIds.newGroup();
        fixture.seedHistory(conversation, alice.userId, 3, 0);
        String history = "/v1/conversations/" + conversation + "/messages?limit=10";
        assertThat(get(port, history, alice.token).statusCode()).isEqualTo(200); // warm the history path

        long[] idle = healthLatencies(port);

        List<CompletableFuture<HttpResponse<String>>> sends = new ArrayList<>();
        for (int i = 0; i < WAITING; i++) {
            sends.add(sendAsync(port, conversation, alice.token, "m" + i));
        }
        awaitWaiting(port, WAITING);

        HttpResponse<String> oneMore =
                sendAsync(port, conversation, alice.token, "one-more").join();
        assertThat(oneMore.statusCode()).as("the send beyond the bound").isEqualTo(503);
        assertThat(code(oneMore)).isEqualTo("unavailable");
        assertThat(message(oneMore)).contains("too many HTTP commands are waiting");
        assertThat(oneMore.headers().firstValue("Retry-After")).contains("1");

        assertThat(get(port, "/healthz", null).statusCode()).isEqualTo(200);
        long historyStart = System.nanoTime();
        HttpResponse<String> page = get(port, history, alice.token);
        long historyNanos = System.nanoTime() - historyStart;
        assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
        assertThat(TestClient.JSON.readTree(page.body()).get("messages")).hasSize(3);
        long upgradeStart = System.nanoTime();
        try (TestClient socket = new TestClient(alice.userId, alice.token).connect(port)) {
            long upgradeNanos = System.nanoTime() - upgradeStart;
            long[] loaded = healthLatencies(port);
            assertThat(waiting(port))
                    .as("every send still waits: the requests above were served meanwhile")
                    .isEqualTo(WAITING);
            System.out.printf(
                    Locale.ROOT,
                    "async HTTP commands: /healthz idle p50 %.2f ms p99 %.2f ms; with %d sends waiting p50 %.2f ms"
                            + " p99 %.2f ms; history page %.1f ms; socket upgrade %.1f ms%n",
                    millis(idle, 50),
                    millis(idle, 99),
                    WAITING,
                    millis(loaded, 50),
                    millis(loaded, 99),
                    historyNanos / 1e6,
                    upgradeNanos / 1e6);
        }

        for (CompletableFuture<HttpResponse<String>> send : sends) {
            HttpResponse<String> answer = send.join();
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(503);
            assertThat(code(answer)).isEqualTo("unavailable");
            assertThat(message(answer))
                    .isEqualTo("no answer within " + SEND_TIMEOUT_MS + " ms; retry with the same id");
        }
        awaitWaiting(port, 0);
    }

    private static long[] healthLatencies(int port) throws Exception {
        long[] nanos = new long[LATENCY_SAMPLES];
        for (int i = 0; i < nanos.length; i++) {
            long start = System.nanoTime();
            assertThat(get(port, "/healthz", null).statusCode()).isEqualTo(200);
            nanos[i] = System.nanoTime() - start;
        }
        Arrays.sort(nanos);
        return nanos;
    }

    private static double millis(long[] sorted, int percentile) {
        return sorted[Math.min(sorted.length - 1, sorted.length * percentile / 100)] / 1e6;
    }

    /** Waits (30 s at most) until {@code parley_edge_http_commands_waiting} is {@code expected}. */
    private static void awaitWaiting(int port, int expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        int now = waiting(port);
        while (now != expected && System.nanoTime() < deadline) {
            Thread.sleep(50);
            now = waiting(port);
        }
        assertThat(now).as("HTTP commands waiting").isEqualTo(expected);
    }

    private static int waiting(int port) throws Exception {
        String metrics = get(port, "/metrics", null).body();
        return metrics.lines()
                .filter(l -> l.startsWith("parley_edge_http_commands_waiting "))
                .map(l -> (int) Double.parseDouble(l.substring(l.indexOf(' ') + 1)))
                .findFirst()
                .orElseThrow();
    }

    private static CompletableFuture<HttpResponse<String>> sendAsync(
            int port, String conversation, String token, String id) {
        return HTTP.sendAsync(
                HttpRequest.newBuilder(URI.create(
                                "http://127.0.0.1:" + port + "/v1/conversations/" + conversation + "/messages"))
                        .timeout(Duration.ofSeconds(60))
                        .header("Content-Type", "application/json")
                        .header("Authorization", "Bearer " + token)
                        .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"" + id + "\",\"body\":\"hello\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(int port, String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String code(HttpResponse<String> response) throws Exception {
        JsonNode body = TestClient.JSON.readTree(response.body());
        return body.get("code").asText();
    }

    private static String message(HttpResponse<String> response) throws Exception {
        return TestClient.JSON.readTree(response.body()).get("message").asText();
    }
}
