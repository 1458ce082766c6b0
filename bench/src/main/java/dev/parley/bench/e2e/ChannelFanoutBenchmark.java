package dev.parley.bench.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.edge.auth.TokenService;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Issue #21's channel scenario against the embedded default ({@link StackUnderTest}): one public
 * channel with {@code members} subscribers, {@code sockets} of them online on the one edge as real
 * WebSockets, the others simulated memberships (JoinChannel commands produced as an edge would),
 * and {@code rate} posts a second by the channel's owner over its socket for {@code seconds}.
 * Measured: per recipient, the time from a post's due send time to its {@code message} frame on
 * each socket (open loop, {@link OpenLoop}), and the stack's CPU over the window
 * ({@link CpuAccounting}). The floor is one bare exactly_once Streams hop on the same broker in the
 * same run ({@link Floors#streamsHop}).
 *
 * <pre>java -cp ... dev.parley.bench.e2e.ChannelFanoutBenchmark 50000 2000 10 60</pre>
 */
public final class ChannelFanoutBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ChannelFanoutBenchmark() {}

    public static void main(String[] args) throws Exception {
        int members = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        int sockets = args.length > 1 ? Integer.parseInt(args[1]) : 2_000;
        double rate = args.length > 2 ? Double.parseDouble(args[2]) : 10;
        int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 60;
        Report report = new Report();
        report.line(
                "## channel fan-out: %,d members, %,d sockets online, %.0f posts/s for %d s",
                members, sockets, rate, seconds);
        report.line("load before start: %s", uptime());
        try (StackUnderTest stack = StackUnderTest.start(Path.of("").toAbsolutePath())) {
            run(stack, members, sockets, rate, seconds, report);
        }
    }

    static void run(StackUnderTest stack, int members, int sockets, double rate, int seconds, Report report)
            throws Exception {
        TokenService tokens = stack.tokens();
        HttpClient http = HttpClient.newHttpClient();
        URI ws = URI.create(stack.webSocketUri());
        String base = stack.webSocketUri().replace("ws://", "http://").replace("/v1/ws", "");
        String owner = "bench_owner";
        HttpResponse<String> created = http.send(
                HttpRequest.newBuilder(URI.create(base + "/v1/conversations"))
                        .header("Authorization", "Bearer " + tokens.issue(owner))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"type\":\"channel\",\"name\":\"bench\",\"visibility\":\"public\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (created.statusCode() != 201) {
            throw new IllegalStateException("channel not created: " + created.body());
        }
        String channel = JSON.readTree(created.body()).path("conversation_id").asText();

        // the simulated subscribers first, the ones with sockets last: the sink writes one channel's
        // rows in order, so the last socket user's row means every member row is there
        List<String> joiners = new ArrayList<>();
        for (int i = 0; i < members - sockets; i++) {
            joiners.add("bench_sim_" + i);
        }
        for (int i = 0; i < sockets; i++) {
            joiners.add("bench_live_" + i);
        }
        long joinStart = System.nanoTime();
        ConversationSetup.join(stack.bootstrapServers(), channel, joiners);
        report.line("memberships: %,d joins applied in %.1f s", joiners.size(), (System.nanoTime() - joinStart) / 1e9);
        awaitListed(http, base, tokens.issue(joiners.get(joiners.size() - 1)), channel);
        report.line(
                "sink caught up (last member's conversation row) after %.1f s", (System.nanoTime() - joinStart) / 1e9);

        Measurements m = new Measurements();
        List<BenchClient> clients = new ArrayList<>();
        for (int i = 0; i < sockets; i++) {
            clients.add(new BenchClient("bench_live_" + i, m, null));
        }
        BenchClient poster = new BenchClient(owner, m, null);
        long connectStart = System.nanoTime();
        EndToEndBenchmark.connectAll(clients, tokens, http, ws);
        poster.connect(http, ws, tokens.issue(owner)).get(30, TimeUnit.SECONDS);
        report.line("%,d sockets open in %.1f s", sockets, (System.nanoTime() - connectStart) / 1e9);

        // every socket must be subscribed (its edge learnt its channels, its interest reached the
        // topology) before the clock starts: posts until one reaches all of them
        m.recordFromNanos = 0;
        m.recordUntilNanos = Long.MAX_VALUE;
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        int warm = 0;
        while (true) {
            long before = m.delivered.sum();
            poster.send("warm-" + warm++, channel, System.nanoTime(), 200);
            long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (m.delivered.sum() - before < sockets && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            if (m.delivered.sum() - before >= sockets) {
                break;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("a post reached only " + (m.delivered.sum() - before) + " sockets");
            }
        }
        report.line("every socket reached after %d warm-up posts", warm);
        m.endToEndMicros.reset();
        m.sendToSentMicros.reset();
        m.delivered.reset();
        m.acknowledged.reset();

        CpuAccounting cpu = CpuAccounting.start(stack.pid());
        String loadBefore = uptime();
        long posts = OpenLoop.run(
                List.of(new OpenLoop.Sender(poster, channel)),
                rate,
                Duration.ofSeconds(5),
                Duration.ofSeconds(seconds),
                Duration.ofSeconds(5),
                200,
                m);
        CpuAccounting.Usage usage = cpu.finish();
        String loadAfter = uptime();
        report.line("");
        report.line("load: %s (window start), %s (end)", loadBefore, loadAfter);
        report.line("");
        report.line("| what | count | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms |");
        report.line("|---|---|---|---|---|---|---|");
        row(report, "post to each recipient's frame", m.delivered.sum() + " of " + posts * sockets, m.endToEndMicros);
        row(report, "post to the poster's `sent`", m.acknowledged.sum() + " of " + posts, m.sendToSentMicros);
        var floor =
                Floors.streamsHop(stack.bootstrapServers(), rate * 10, Duration.ofSeconds(5), Duration.ofSeconds(20));
        row(
                report,
                "floor: one exactly_once Streams hop, " + (int) (rate * 10) + "/s",
                floor.getTotalCount() + "",
                floor);
        report.line("");
        report.line("errors: %s", m.errorCounts());
        report.line("");
        usage.report(report);
        clients.forEach(BenchClient::close);
        poster.close();
    }

    private static void row(Report report, String what, String count, org.HdrHistogram.Histogram h) {
        report.line("| %s | %s | %s |", what, count, Report.percentiles(h));
    }

    private static void awaitListed(HttpClient http, String base, String token, String channel) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(300).toNanos();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> mine = http.send(
                    HttpRequest.newBuilder(URI.create(base + "/v1/conversations"))
                            .header("Authorization", "Bearer " + token)
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (mine.statusCode() == 200) {
                for (JsonNode c : JSON.readTree(mine.body()).path("conversations")) {
                    if (channel.equals(c.path("conversation_id").asText())) {
                        return;
                    }
                }
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("the sink never wrote the last membership of " + channel);
    }

    private static String uptime() {
        try {
            String load =
                    java.nio.file.Files.readString(Path.of("/proc/loadavg")).strip();
            return "loadavg " + load.substring(0, load.indexOf(' ', load.indexOf(' ', load.indexOf(' ') + 1) + 1));
        } catch (java.io.IOException e) {
            return "loadavg unknown";
        }
    }
}
