package dev.parley.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.edge.EdgeSettings;
import dev.parley.edge.media.MediaStore;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Media throughput of a running {@code ./parley up} stack (DESIGN 7.1, issue #16): upload and
 * download MB/s of a 10 MB and a 100 MB file through the edge, against a direct S3 put and get of
 * the same file to the same store in the same run (the floor), and the edge's heap (its {@code
 * /metrics} {@code jvm_memory_used_bytes{area="heap"}}, sampled every 50 ms) while 20 clients upload
 * 20 MB each at once. Appends its table to BENCHMARKS.md. Never part of {@code verify}:
 *
 * <pre>
 * ./parley up &amp;   # then
 * java -cp "$(cat bench/target/bench.classpath):bench/target/classes" dev.parley.bench.MediaBenchmark \
 *     [http://localhost:8080] [./data] [http://127.0.0.1:8333]
 * </pre>
 */
public final class MediaBenchmark {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern HEAP =
            Pattern.compile("jvm_memory_used_bytes\\{[^}]*area=\"heap\"[^}]*} ([0-9.eE+]+)");

    private MediaBenchmark() {}

    public static void main(String[] args) throws Exception {
        String edge = args.length > 0 ? args[0] : "http://localhost:8080";
        Path data = Path.of(args.length > 1 ? args[1] : "./data");
        String s3 = args.length > 2 ? args[2] : "http://127.0.0.1:8333";
        String token = token(edge);
        Map<String, Object> settings = Map.of(
                EdgeSettings.MEDIA_S3_ENDPOINT,
                s3,
                EdgeSettings.MEDIA_S3_ACCESS_KEY,
                "parley",
                EdgeSettings.MEDIA_S3_SECRET_KEY,
                Files.readString(data.resolve("s3/s3.secret")).strip());
        StringBuilder report = new StringBuilder("\n## Media (MediaBenchmark)\n\n"
                + "| file | edge upload MB/s | direct S3 put MB/s | edge download MB/s | direct S3 get MB/s |\n"
                + "|---|---|---|---|---|\n");
        try (MediaStore store = MediaStore.open(new EdgeSettings(settings))) {
            for (long mb : new long[] {10, 100}) {
                Path file = generate(mb * 1_000_000);
                long t = System.nanoTime();
                String id = upload(edge, token, file);
                double up = rate(mb, t);
                t = System.nanoTime();
                drain(HTTP.send(get(edge + "/v1/media/" + id, token), HttpResponse.BodyHandlers.ofInputStream())
                        .body());
                double down = rate(mb, t);
                String key = "bench/" + UUID.randomUUID();
                t = System.nanoTime();
                store.put(key, file, Files.size(file), "application/octet-stream");
                double put = rate(mb, t);
                t = System.nanoTime();
                try (InputStream in = store.get(key, null, null)) {
                    drain(in);
                }
                double getRate = rate(mb, t);
                store.delete(key);
                Files.delete(file);
                report.append(String.format(
                        Locale.ROOT, "| %d MB | %.1f | %.1f | %.1f | %.1f |%n", mb, up, put, down, getRate));
            }
        }
        report.append(heapWhileUploading(edge, token, 20, 20_000_000));
        System.out.print(report);
        Files.writeString(Path.of("BENCHMARKS.md"), report, StandardOpenOption.APPEND);
    }

    private static String heapWhileUploading(String edge, String token, int clients, long bytes) throws Exception {
        Path file = generate(bytes);
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong peak = new AtomicLong();
        double before = heap(edge);
        Thread sampler = new Thread(() -> {
            while (running.get()) {
                try {
                    peak.accumulateAndGet((long) heap(edge), Math::max);
                    Thread.sleep(50);
                } catch (Exception e) {
                    return;
                }
            }
        });
        sampler.start();
        long t = System.nanoTime();
        List<CompletableFuture<String>> uploads = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            uploads.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return upload(edge, token, file);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        CompletableFuture.allOf(uploads.toArray(CompletableFuture[]::new)).join();
        double seconds = (System.nanoTime() - t) / 1e9;
        running.set(false);
        sampler.join();
        Files.delete(file);
        return String.format(
                Locale.ROOT,
                "%n%d clients uploading %d MB each at once: done in %.1f s (%.1f MB/s in all); edge heap %.0f MB"
                        + " before, at most %.0f MB during (sampled every 50 ms from /metrics).%n",
                clients,
                bytes / 1_000_000,
                seconds,
                clients * bytes / 1e6 / seconds,
                before / 1e6,
                peak.get() / 1e6);
    }

    private static double heap(String edge) throws Exception {
        String metrics = HTTP.send(
                        HttpRequest.newBuilder(URI.create(edge + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        double sum = 0;
        Matcher m = HEAP.matcher(metrics);
        while (m.find()) {
            sum += Double.parseDouble(m.group(1));
        }
        return sum;
    }

    private static String upload(String edge, String token, Path file) throws Exception {
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(URI.create(edge + "/v1/media?filename=bench.bin"))
                        .header("Authorization", "Bearer " + token)
                        .header("Content-Type", "application/octet-stream")
                        .POST(HttpRequest.BodyPublishers.ofFile(file))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) {
            throw new IllegalStateException("upload: " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body()).get("media_id").asText();
    }

    private static HttpRequest get(String url, String token) {
        return HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + token)
                .build();
    }

    /** A fresh user (its own upload quota) and its token. */
    private static String token(String edge) throws Exception {
        String name = "bench" + UUID.randomUUID().toString().substring(0, 8);
        String body = "{\"username\":\"" + name + "\",\"password\":\"correct horse battery\"}";
        for (String path : new String[] {"/v1/users", "/v1/tokens"}) {
            HttpResponse<String> r = HTTP.send(
                    HttpRequest.newBuilder(URI.create(edge + path))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode json = JSON.readTree(r.body());
            if (json.has("access_token")) {
                return json.get("access_token").asText();
            }
        }
        throw new IllegalStateException("no token from " + edge);
    }

    private static Path generate(long bytes) throws Exception {
        Path file = Files.createTempFile("media-bench", ".bin");
        Random random = new Random(bytes);
        byte[] block = new byte[1 << 20];
        try (var out = Files.newOutputStream(file)) {
            for (long left = bytes; left > 0; left -= block.length) {
                random.nextBytes(block);
                out.write(block, 0, (int) Math.min(block.length, left));
            }
        }
        return file;
    }

    private static void drain(InputStream in) throws Exception {
        try (in) {
            byte[] buf = new byte[1 << 16];
            while (in.read(buf) > 0) {
                // only the time matters
            }
        }
    }

    private static double rate(long mb, long sinceNanos) {
        return mb / ((System.nanoTime() - sinceNanos) / 1e9);
    }
}
