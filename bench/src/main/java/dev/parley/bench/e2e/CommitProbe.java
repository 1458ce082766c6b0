package dev.parley.bench.e2e;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How often ConversationTopology committed during a window, read from the topology's Prometheus
 * endpoint: under exactly_once_v2 a commit is a transaction commit, the step every message waits
 * for, so commits per second and records per commit explain a latency figure (issue #20, the idle
 * commit tail).
 */
final class CommitProbe {

    /** Sums over ConversationTopology's stream threads at one moment. */
    record Sample(double commits, double processed, double commitLatencyAvgMs, long atNanos) {

        /** What happened between {@code before} and this sample, as one report cell. */
        String since(Sample before) {
            double seconds = (atNanos - before.atNanos) / 1e9;
            double commits = this.commits - before.commits;
            double records = processed - before.processed;
            return String.format(
                    Locale.ROOT,
                    "%.0f commits (%.1f/s), %.1f records per commit, commit latency avg %.1f ms",
                    commits,
                    commits / seconds,
                    commits == 0 ? 0 : records / commits,
                    commitLatencyAvgMs);
        }
    }

    private static final Pattern LINE =
            Pattern.compile("^(kafka_stream_thread_(?:commit_total|process_total|commit_latency_avg))\\{(.*)} (\\S+)$");

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final URI metrics;
    private final Pattern threadOfApplication;

    /** @param applicationId the conversation application's id: its stream threads are named after it */
    CommitProbe(int metricsPort, String applicationId) {
        this.metrics = URI.create("http://127.0.0.1:" + metricsPort + "/metrics");
        // <application id>-<client UUID>-StreamThread-<n>: SignalTopology's id extends this one
        // ("parley-conversations-signals"), so a prefix alone would count its threads too
        this.threadOfApplication = Pattern.compile("thread_id=\"" + Pattern.quote(applicationId)
                + "-[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}-StreamThread-\\d+\"");
    }

    Sample sample() throws IOException, InterruptedException {
        String text = http.send(
                        HttpRequest.newBuilder(metrics)
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        double commits = 0;
        double processed = 0;
        double latency = 0;
        int threads = 0;
        for (String line : text.split("\n")) {
            Matcher m = LINE.matcher(line);
            if (!m.matches() || !threadOfApplication.matcher(m.group(2)).find()) {
                continue;
            }
            double value = parse(m.group(3));
            switch (m.group(1)) {
                case "kafka_stream_thread_commit_total" -> commits += value;
                case "kafka_stream_thread_process_total" -> processed += value;
                default -> {
                    if (!Double.isNaN(value)) {
                        latency += value;
                        threads++;
                    }
                }
            }
        }
        return new Sample(commits, processed, threads == 0 ? 0 : latency / threads, System.nanoTime());
    }

    /** Prometheus spells infinities +Inf / -Inf, which Java does not parse. */
    private static double parse(String value) {
        return switch (value) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(value);
        };
    }
}
