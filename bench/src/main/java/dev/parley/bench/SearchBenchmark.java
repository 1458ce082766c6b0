package dev.parley.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.connect.search.BenchIndexLoader;
import dev.parley.connect.search.OpenSearchSinkConfig;
import dev.parley.connect.search.OpenSearchSinkConnector;
import dev.parley.edge.search.MessageSearch;
import dev.parley.edge.search.SearchQuery;
import dev.parley.schema.AvroSerde;
import dev.parley.schema.ConversationEvent;
import dev.parley.schema.MessagePosted;
import dev.parley.schema.ParleySerdes;
import dev.parley.search.SearchNode;
import dev.parley.testkit.FreePorts;
import dev.parley.testkit.SingleNodeKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.connect.cli.ConnectStandalone;
import org.apache.kafka.connect.runtime.Connect;
import org.apache.kafka.connect.runtime.standalone.StandaloneHerder;

/**
 * Search: query latency over many conversations and indexing lag, through the production pieces (a
 * real KRaft broker, the search sink in a real Connect worker, a forked OpenSearch node, the edge's
 * {@link MessageSearch} query). Phase 1 loads {@code messages} events over {@code conversations}
 * conversations as fast as the sink indexes them. Phase 2 runs queries as one user who is a
 * member of all of them (a terms filter of every id) and per conversation (routed). Phase 3 sends
 * {@code rate} msgs/s into one conversation for {@code seconds} and polls the newest searchable
 * seq every 5 ms: a message's lag is the moment its seq became searchable minus its send time.
 *
 * <p>{@code ./mvnw -B -q -pl bench -am package -DskipTests} then {@code java -cp ...
 * dev.parley.bench.SearchBenchmark 1000000 500 1000 30} (messages, conversations, rate, seconds).
 */
public final class SearchBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] WORDS = {
        "meeting", "lunch", "deploy", "release", "coffee", "review", "budget", "travel", "invoice", "design",
        "running", "café", "東京", "weekend", "ticket", "server", "holiday", "report", "launch", "customer"
    };

    /** Queries of phase 2 (the first 200 are warm-up); {@code -Dbench.queries} for a lag-only run. */
    private static final int QUERIES = Integer.getInteger("bench.queries", 2_200);

    /** The node's heap: 512 MB by default, {@code -Dbench.node.heap.mb=256} as {@code ./parley up} runs it. */
    private static final int NODE_HEAP_MB = Integer.getInteger("bench.node.heap.mb", 512);

    public static void main(String[] args) throws Exception {
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int conversations = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        int rate = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
        int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 30;
        System.out.println(run(messages, conversations, rate, seconds));
    }

    static String run(int messages, int conversations, int rate, int seconds) throws Exception {
        Path dir = Files.createTempDirectory("search-bench");
        String alias = "bench-messages";
        String topic = "bench.events";
        StringBuilder out = new StringBuilder();
        try (SingleNodeKafka kafka = SingleNodeKafka.start();
                SearchNode node = new SearchNode(
                        dir.resolve("search"),
                        FreePorts.next(),
                        FreePorts.next(),
                        NODE_HEAP_MB,
                        SearchNode.classpathFrom(Path.of("search-node/target/search.classpath")))) {
            node.awaitReady();
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1)))
                        .all()
                        .get();
            }
            Connect<StandaloneHerder> connect = worker(kafka.bootstrapServers(), dir);
            try (KafkaProducer<String, byte[]> producer = producer(kafka.bootstrapServers());
                    MessageSearch search =
                            new MessageSearch(JSON, List.of(node.url()), Duration.ofSeconds(10), alias)) {
                AvroSerde<ConversationEvent> serde = new ParleySerdes().event();
                List<String> ids = new ArrayList<>();
                for (int c = 0; c < conversations; c++) {
                    ids.add("g_bench_" + c);
                }
                Random random = new Random(42);
                long loadStart = System.nanoTime();
                long[] seqs = new long[conversations];
                boolean direct = "direct".equals(System.getProperty("bench.load"));
                if (direct) { // the sink's own store and documents, big bulks, no Kafka in between
                    try (BenchIndexLoader loader = new BenchIndexLoader(node.url(), alias, 5_000, 2)) {
                        List<ConversationEvent> chunk = new ArrayList<>();
                        for (int i = 0; i < messages; i++) {
                            int c = random.nextInt(conversations);
                            chunk.add(event(ids.get(c), ++seqs[c], body(random, i)));
                            if (chunk.size() == 10_000 || i == messages - 1) {
                                loader.index(chunk);
                                chunk.clear();
                            }
                        }
                    }
                    deploy(connect, topic, node.url(), alias, null);
                } else {
                    deploy(connect, topic, node.url(), alias, null);
                    for (int i = 0; i < messages; i++) {
                        int c = random.nextInt(conversations);
                        producer.send(new ProducerRecord<>(
                                topic,
                                ids.get(c),
                                serde.serialize(topic, event(ids.get(c), ++seqs[c], body(random, i)))));
                    }
                    producer.flush();
                }
                awaitCount(node.url(), alias, messages);
                double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
                report(
                        out,
                        String.format(
                                Locale.ROOT,
                                "load: %d messages over %d conversations indexed %s in %.1f s (%.0f/s); %s%n",
                                messages,
                                conversations,
                                direct
                                        ? "by direct bulks (the sink's store, 5,000 a request, 2 at once)"
                                        : "through the sink",
                                loadSeconds,
                                messages / loadSeconds,
                                indexStats(node.url(), alias)));

                Histogram across = new Histogram(3);
                Histogram within = new Histogram(3);
                for (int i = 0; i < QUERIES; i++) {
                    SearchQuery q = SearchQuery.parse(
                            i % 3 == 0
                                    ? "\"" + WORDS[i % WORDS.length] + " " + WORDS[(i + 1) % WORDS.length] + "\""
                                    : i % 3 == 1
                                            ? WORDS[i % WORDS.length]
                                            : WORDS[i % WORDS.length].substring(
                                                            0, Math.min(3, WORDS[i % WORDS.length].length()))
                                                    + "*",
                            256,
                            32);
                    long t = System.nanoTime();
                    search.search(new MessageSearch.Request(q, ids, null, null, null, null, false, 20, null));
                    long acrossMicros = (System.nanoTime() - t) / 1000;
                    String one = ids.get(i % conversations);
                    t = System.nanoTime();
                    search.search(new MessageSearch.Request(q, List.of(one), one, null, null, null, false, 20, null));
                    long withinMicros = (System.nanoTime() - t) / 1000;
                    if (i >= 200) { // warm-up not measured
                        across.recordValue(acrossMicros);
                        within.recordValue(withinMicros);
                    }
                }
                report(
                        out,
                        line(
                                "query across " + conversations + " conversations (terms filter), " + (QUERIES - 200)
                                        + " queries",
                                across));
                report(out, line("query in one conversation (routed), " + (QUERIES - 200) + " queries", within));

                String refresh = System.getProperty("bench.refresh");
                if (refresh != null) { // an experiment: the index's refresh interval for the lag phase
                    put(
                            node.url() + "/" + alias + "/_settings",
                            "{\"index\":{\"refresh_interval\":\"" + refresh + "\"}}");
                }
                CpuSample idle = CpuSample.of(node.pid());
                sleep(10_000);
                report(out, idle.until("idle 10 s after the queries", node.pid()));
                long indexed = messages;
                // -Dbench.lag.concurrency=1,2: the sink's opensearch.bulk.concurrency of each round, in the same run
                String[] rounds =
                        System.getProperty("bench.lag.concurrency", "default").split(",");
                for (int round = 0; round < rounds.length; round++) {
                    String lanes = rounds[round];
                    String concurrency = "default".equals(lanes) ? null : lanes;
                    deploy(connect, topic, node.url(), alias, concurrency);
                    String label = " [opensearch.bulk.concurrency " + lanes + "]";
                    int backlog = Integer.getInteger("bench.backlog", 30_000);
                    CpuSample catchUp = CpuSample.of(node.pid());
                    report(
                            out,
                            labelled(
                                    backlog(producer, serde, topic, node.url(), alias, "r" + round, indexed, backlog),
                                    label));
                    report(out, labelled(catchUp.until("during the catch-up", node.pid()), label));
                    indexed += backlog;
                    CpuSample busy = CpuSample.of(node.pid());
                    report(
                            out,
                            labelled(
                                    lag(producer, serde, topic, node.url(), alias, "d_lag_r" + round, rate, seconds),
                                    label));
                    report(out, labelled(busy.until("during the lag phase", node.pid()), label));
                    indexed += (long) rate * seconds;
                }
                report(out, String.format(Locale.ROOT, "node RSS after the run: %d MB%n", rssMb(node.pid())));
            } finally {
                connect.stop();
                connect.awaitStop();
            }
        }
        return out.toString();
    }

    /** The label after the first line of a report. */
    private static String labelled(String report, String label) {
        int eol = report.indexOf(System.lineSeparator());
        return eol < 0 ? report + label : report.substring(0, eol) + label + report.substring(eol);
    }

    /** Printed at once as well: a long run shows each phase as it ends. */
    private static void report(StringBuilder out, String line) {
        System.err.print(line);
        out.append(line);
    }

    private static String body(Random random, int i) {
        return WORDS[random.nextInt(WORDS.length)] + " " + WORDS[random.nextInt(WORDS.length)] + " message " + i;
    }

    /**
     * The sink's catch-up speed: {@code count} messages over 100 conversations produced at once,
     * timed from the first of them searchable to the last (the task's restart is not counted).
     */
    private static String backlog(
            KafkaProducer<String, byte[]> producer,
            AvroSerde<ConversationEvent> serde,
            String topic,
            String url,
            String alias,
            String round,
            long before,
            int count)
            throws Exception {
        Random random = new Random(7);
        long[] seqs = new long[100];
        for (int i = 0; i < count; i++) {
            int c = random.nextInt(100);
            String conv = "b_" + round + "_" + c;
            producer.send(
                    new ProducerRecord<>(topic, conv, serde.serialize(topic, event(conv, ++seqs[c], body(random, i)))));
        }
        producer.flush();
        long first = 0;
        long firstAt = 0;
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (System.nanoTime() < deadline) {
            long n = count(url, alias) - before;
            if (first == 0 && n > 0) {
                first = n;
                firstAt = System.nanoTime();
            }
            if (n >= count) {
                double seconds = (System.nanoTime() - firstAt) / 1e9;
                return String.format(
                        Locale.ROOT,
                        "sink catch-up: a backlog of %d messages indexed at %.0f docs/s (%d in %.1f s)%n",
                        count,
                        (count - first) / seconds,
                        count - first,
                        seconds);
            }
            sleep(50);
        }
        throw new IllegalStateException("backlog not indexed within 10 min");
    }

    private static long count(String url, String alias) {
        try {
            return JSON.readTree(get(url + "/" + alias + "/_count"))
                    .path("count")
                    .asLong();
        } catch (Exception e) {
            return 0;
        }
    }

    /** Documents, size on disk and the node's heap use. */
    private static String indexStats(String url, String alias) {
        try {
            JsonNode index = JSON.readTree(get(url + "/" + alias + "/_stats/docs,store,segments"))
                    .path("_all")
                    .path("primaries");
            JsonNode jvm = JSON.readTree(get(url + "/_nodes/stats/jvm"))
                    .path("nodes")
                    .elements()
                    .next()
                    .path("jvm")
                    .path("mem");
            return String.format(
                    Locale.ROOT,
                    "index %d docs, %.1f MB on disk, %d segments (%.1f MB of heap); node heap used %d of %d MB",
                    index.path("docs").path("count").asLong(),
                    index.path("store").path("size_in_bytes").asLong() / 1048576.0,
                    index.path("segments").path("count").asLong(),
                    index.path("segments").path("memory_in_bytes").asLong() / 1048576.0,
                    jvm.path("heap_used_in_bytes").asLong() >> 20,
                    jvm.path("heap_max_in_bytes").asLong() >> 20);
        } catch (Exception e) {
            return "index stats unavailable: " + e;
        }
    }

    private static String lag(
            KafkaProducer<String, byte[]> producer,
            AvroSerde<ConversationEvent> serde,
            String topic,
            String url,
            String alias,
            String conv,
            int rate,
            int seconds)
            throws Exception {
        int total = rate * seconds;
        long[] sentAt = new long[total + 1];
        Histogram lag = new Histogram(3);
        Histogram[] bySecond = new Histogram[seconds];
        for (int i = 0; i < seconds; i++) {
            bySecond[i] = new Histogram(3);
        }
        CompletableFuture<Void> poller = CompletableFuture.runAsync(() -> {
            long seen = 0;
            while (seen < total) {
                long last = newestSeq(url, alias, conv);
                long now = System.nanoTime();
                for (long s = seen + 1; s <= Math.min(last, total); s++) {
                    while (sentAt[(int) s] == 0) {
                        Thread.onSpinWait();
                    }
                    long micros = Math.max(0, (now - sentAt[(int) s]) / 1000);
                    lag.recordValue(micros);
                    bySecond[(int) Math.min(seconds - 1, (s - 1) / rate)].recordValue(micros);
                }
                seen = Math.max(seen, last);
                sleep(5);
            }
        });
        long start = System.nanoTime();
        long interval = 1_000_000_000L / rate;
        for (int seq = 1; seq <= total; seq++) {
            long due = start + (seq - 1) * interval;
            // parked, not spinning: a spinning sender takes a whole core from the node on 2 cores
            for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                LockSupport.parkNanos(wait);
            }
            producer.send(
                    new ProducerRecord<>(topic, conv, serde.serialize(topic, event(conv, seq, "lag probe " + seq))));
            sentAt[seq] = System.nanoTime();
        }
        poller.get(180, TimeUnit.SECONDS);
        StringBuilder series = new StringBuilder("lag p99 by second sent (ms):");
        for (Histogram h : bySecond) {
            series.append(' ').append(h.getValueAtPercentile(99) / 1000);
        }
        return line("indexing lag (produce to searchable) at " + rate + " msgs/s for " + seconds + " s", lag)
                + series
                + System.lineSeparator();
    }

    private static long newestSeq(String url, String alias, String conv) {
        try {
            JsonNode r = JSON.readTree(post(
                    url + "/" + alias + "/_search?routing=" + conv,
                    "{\"size\":1,\"_source\":[\"seq\"],\"query\":{\"term\":{\"conversation_id\":\"" + conv
                            + "\"}},\"sort\":[{\"seq\":\"desc\"}]}"));
            JsonNode hits = r.path("hits").path("hits");
            return hits.isEmpty() ? 0 : hits.get(0).path("_source").path("seq").asLong();
        } catch (Exception e) {
            return 0;
        }
    }

    private static String line(String what, Histogram micros) {
        return String.format(
                Locale.ROOT,
                "%s: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                what,
                micros.getValueAtPercentile(50) / 1000.0,
                micros.getValueAtPercentile(90) / 1000.0,
                micros.getValueAtPercentile(99) / 1000.0,
                micros.getMaxValue() / 1000.0);
    }

    private static ConversationEvent event(String conv, long seq, String body) {
        long id = Math.abs((long) conv.hashCode()) * 10_000_000L + seq;
        return new ConversationEvent(
                id,
                conv,
                seq,
                Instant.ofEpochMilli(1_780_000_000_000L + seq),
                "alice",
                0L,
                new MessagePosted(id, "c" + seq, body, List.of(), null, null, null, List.of(), List.of()));
    }

    private static void awaitCount(String url, String alias, long expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (JSON.readTree(get(url + "/" + alias + "/_count"))
                                .path("count")
                                .asLong()
                        >= expected) {
                    return;
                }
            } catch (Exception e) {
                // the index not created yet
            }
            sleep(200);
        }
        throw new IllegalStateException("not indexed within 30 min");
    }

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static String get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString())
                .body();
    }

    private static String put(String url, String body) throws Exception {
        return HTTP.send(
                        HttpRequest.newBuilder(URI.create(url))
                                .header("Content-Type", "application/json")
                                .PUT(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    private static String post(String url, String body) throws Exception {
        return HTTP.send(
                        HttpRequest.newBuilder(URI.create(url))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    /** CPU ticks of the node and of this JVM (broker, Connect worker, load generator) from /proc. */
    private record CpuSample(long nanos, long node, long self) {

        static CpuSample of(long nodePid) {
            return new CpuSample(
                    System.nanoTime(),
                    ticks(nodePid),
                    ticks(ProcessHandle.current().pid()));
        }

        String until(String what, long nodePid) {
            double seconds = (System.nanoTime() - nanos) / 1e9;
            // USER_HZ is 100 on Linux
            return String.format(
                    Locale.ROOT,
                    "CPU %s: node %.0f%% of one core, this JVM (broker, Connect, load) %.0f%%; node RSS %d MB%n",
                    what,
                    (ticks(nodePid) - node) / seconds,
                    (ticks(ProcessHandle.current().pid()) - self) / seconds,
                    rssMb(nodePid));
        }

        private static long ticks(long pid) {
            try {
                String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime + stime
            } catch (Exception e) {
                return 0; // not Linux
            }
        }
    }

    private static long rssMb(long pid) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (l.startsWith("VmRSS:")) {
                    return Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (Exception e) {
            // not Linux: unknown
        }
        return -1;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Deploys the sink, or replaces its configuration (its task restarts); {@code concurrency} null: default. */
    private static void deploy(
            Connect<StandaloneHerder> connect, String topic, String url, String alias, String concurrency)
            throws Exception {
        Map<String, String> c = new HashMap<>();
        c.put("name", "bench-search-sink");
        c.put("connector.class", OpenSearchSinkConnector.class.getName());
        c.put("tasks.max", "1");
        c.put("topics", topic);
        c.put(OpenSearchSinkConfig.URLS, url);
        c.put(OpenSearchSinkConfig.INDEX, alias);
        if (concurrency != null) {
            c.put(OpenSearchSinkConfig.BULK_CONCURRENCY, concurrency);
        }
        var done = new CompletableFuture<Void>();
        connect.herder().putConnectorConfig("bench-search-sink", c, true, (e, info) -> {
            if (e != null) {
                done.completeExceptionally(e);
            } else {
                done.complete(null);
            }
        });
        done.get(30, TimeUnit.SECONDS);
    }

    private static Connect<StandaloneHerder> worker(String bootstrap, Path dir) {
        Map<String, String> w = new HashMap<>();
        w.put("bootstrap.servers", bootstrap);
        w.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        w.put("value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
        w.put("offset.storage.file.filename", dir.resolve("offsets").toString());
        w.put("listeners", "http://127.0.0.1:" + FreePorts.next());
        w.put("plugin.discovery", "service_load");
        w.put("consumer.max.poll.records", "2000");
        // experiments: -Dbench.consumer.<key>=<value> overrides the sink consumer's settings
        System.getProperties().stringPropertyNames().stream()
                .filter(k -> k.startsWith("bench.consumer."))
                .forEach(k -> w.put(k.substring("bench.".length()), System.getProperty(k)));
        return new ConnectStandalone().startConnect(w);
    }

    private static KafkaProducer<String, byte[]> producer(String bootstrap) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("acks", "all");
        p.put("linger.ms", "0");
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }
}
