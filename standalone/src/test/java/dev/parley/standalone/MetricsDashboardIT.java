package dev.parley.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard against the real processes: {@code ./parley up} runs the edge, both
 * topologies and the Connect worker with both sinks; after a little traffic each of its three
 * scrape endpoints is read, and every metric a dashboard query names must be exported by one of
 * them (a renamed metric or a typo leaves a panel empty in production, silently).
 */
class MetricsDashboardIT {

    private static final Path DASHBOARD = Path.of("..", "deploy", "grafana", "dashboards", "parley.json");
    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Set<String> PROMQL_WORDS = Set.of(
            "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset", "and", "or", "unless");

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient client = HttpClient.newHttpClient();

    @Test
    void shouldExportEveryMetricTheDashboardQueries() throws Exception {
        Set<String> queried = metricNames(json.readTree(DASHBOARD.toFile()));
        assertThat(queried).as("metrics the dashboard queries").hasSizeGreaterThan(20);
        try (ParleyProcess parley = new ParleyProcess(Files.createTempDirectory("parley-metrics"))) {
            parley.start();
            assertThat(parley.output())
                    .anyMatch(l -> l.contains("conversation topology")
                            && l.contains(":" + parley.env.get("PARLEY_TOPOLOGY_METRICS_PORT") + "/metrics"))
                    .anyMatch(l -> l.contains("connect")
                            && l.contains(":" + parley.env.get("PARLEY_CONNECT_METRICS_PORT") + "/metrics"));
            traffic(parley);

            Map<String, String> endpoints = new LinkedHashMap<>();
            endpoints.put("edge", "http://127.0.0.1:" + parley.httpPort() + "/metrics");
            endpoints.put(
                    "topology", "http://127.0.0.1:" + parley.env.get("PARLEY_TOPOLOGY_METRICS_PORT") + "/metrics");
            endpoints.put("connect", "http://127.0.0.1:" + parley.env.get("PARLEY_CONNECT_METRICS_PORT") + "/metrics");
            // task, partition and store metrics appear once tasks run and fetch: wait for them
            Set<String> missing = new TreeSet<>(queried);
            Map<String, Set<String>> exported = new LinkedHashMap<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (true) {
                for (Map.Entry<String, String> e : endpoints.entrySet()) {
                    String scrape = scrape(e.getValue());
                    Files.writeString(Path.of("target", "metrics-" + e.getKey() + ".txt"), scrape);
                    exported.put(e.getKey(), sampleNames(scrape));
                }
                missing.removeIf(name -> exported.values().stream().anyMatch(s -> s.contains(name)));
                if (missing.isEmpty() || System.nanoTime() > deadline) {
                    break;
                }
                Thread.sleep(1_000);
            }
            assertThat(missing)
                    .as("dashboard metrics no process exports (scrapes in standalone/target/metrics-*.txt)")
                    .isEmpty();
            // the three processes' JVM meters must not collide: each endpoint has its own
            assertThat(exported.get("topology")).contains("jvm_memory_used_bytes");
            assertThat(exported.get("connect")).contains("jvm_memory_used_bytes");
        }
    }

    /** Metric names in every PromQL expression of the dashboard, without labels, ranges or functions. */
    static Set<String> metricNames(JsonNode dashboard) {
        Set<String> names = new TreeSet<>();
        List<String> exprs = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            panel.path("targets").forEach(t -> exprs.add(t.path("expr").asText()));
        }
        for (String expr : exprs) {
            String bare = expr.replaceAll("\"[^\"]*\"", "") // label values
                    .replaceAll("\\{[^}]*}", "") // label matchers
                    .replaceAll("\\[[^]]*]", "") // ranges
                    .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", "");
            Matcher m = IDENTIFIER.matcher(bare);
            while (m.find()) {
                String word = m.group();
                boolean call = bare.substring(m.end()).stripLeading().startsWith("(");
                if (!call && !PROMQL_WORDS.contains(word)) {
                    names.add(word);
                }
            }
        }
        return names;
    }

    private static Set<String> sampleNames(String scrape) {
        Set<String> names = new HashSet<>();
        for (String line : scrape.split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                names.add(line.split("[{ ]", 2)[0]);
            }
        }
        return names;
    }

    private String scrape(String url) throws Exception {
        HttpResponse<String> response = client.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(url).isEqualTo(200);
        return response.body();
    }

    /** A message over HTTP (topology, events to the sink), a socket with one bad frame (edge errors). */
    private void traffic(ParleyProcess parley) throws Exception {
        User alice = signUp(parley, "alice");
        User bob = signUp(parley, "bob");
        HttpResponse<String> direct = parley.http(
                "POST", "/v1/conversations", alice.token(), "{\"type\":\"direct\",\"members\":[\"" + bob.id() + "\"]}");
        assertThat(direct.statusCode()).as(direct.body()).isEqualTo(201);
        String conv = json.readTree(direct.body()).path("conversation_id").asText();
        HttpResponse<String> sent = parley.http(
                "POST", "/v1/conversations/" + conv + "/messages", alice.token(), "{\"id\":\"m1\",\"body\":\"hello\"}");
        assertThat(sent.statusCode()).as(sent.body()).isEqualTo(200);
        WebSocket socket = client.newWebSocketBuilder()
                .header("Authorization", "Bearer " + bob.token())
                .buildAsync(URI.create("ws://127.0.0.1:" + parley.httpPort() + "/v1/ws"), new WebSocket.Listener() {})
                .get(10, TimeUnit.SECONDS);
        socket.sendText("{not json", true).get(5, TimeUnit.SECONDS);
        socket.sendText("{\"type\":\"send\",\"id\":\"w1\",\"conversation_id\":\"" + conv + "\",\"body\":\"hi\"}", true)
                .get(5, TimeUnit.SECONDS);
    }

    private record User(String id, String token) {}

    private User signUp(ParleyProcess parley, String name) throws Exception {
        String credentials = "{\"username\":\"" + name + "\",\"password\":\"correct horse\"}";
        HttpResponse<String> created = parley.http("POST", "/v1/users", null, credentials);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        HttpResponse<String> login = parley.http("POST", "/v1/tokens", null, credentials);
        assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
        return new User(
                json.readTree(created.body()).path("user_id").asText(),
                json.readTree(login.body()).path("access_token").asText());
    }
}
