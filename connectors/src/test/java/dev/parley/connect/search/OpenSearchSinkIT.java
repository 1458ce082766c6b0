package dev.parley.connect.search;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.connect.SinkWorkers;
import dev.parley.schema.ConversationCreated;
import dev.parley.schema.ConversationEvent;
import dev.parley.schema.ConversationType;
import dev.parley.schema.MessagePosted;
import dev.parley.schema.ParleySerdes;
import dev.parley.search.SearchNode;
import dev.parley.testkit.ErrorLog;
import dev.parley.testkit.FreePorts;
import dev.parley.testkit.KafkaClusterExtension;
import dev.parley.testkit.OpenSearchNodeExtension;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.connect.cli.ConnectStandalone;
import org.apache.kafka.connect.runtime.Connect;
import org.apache.kafka.connect.runtime.standalone.StandaloneHerder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The sink with a real OpenSearch node, a real broker and a real Connect worker. */
@ExtendWith({KafkaClusterExtension.class, OpenSearchNodeExtension.class})
class OpenSearchSinkIT {

    private static final Instant T0 = Instant.parse("2026-06-01T08:00:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private final ParleySerdes serdes = new ParleySerdes();

    static ConversationEvent message(String conv, long seq, String sender) {
        return new ConversationEvent(
                1000 + seq,
                conv,
                seq,
                T0.plusMillis(seq),
                sender,
                0L,
                new MessagePosted(
                        1000 + seq,
                        "m" + seq,
                        "body number " + seq,
                        List.of(),
                        null,
                        null,
                        null,
                        List.of(),
                        List.of()));
    }

    @Test
    void shouldIndexEachMessageOnceAndDeadLetterWhatCannotBeIndexed() throws Exception {
        String topic = KafkaClusterExtension.unique("search");
        String index = OpenSearchNodeExtension.newIndexName();
        String dlq = topic + "-dlq";
        createTopic(topic, 2);
        Connect<StandaloneHerder> connect = startWorker();
        try (KafkaProducer<String, byte[]> producer = producer()) {
            SinkWorkers.register(connect, sinkConfig(topic, index, OpenSearchNodeExtension.url(), dlq));
            send(
                    producer,
                    topic,
                    new ConversationEvent(
                            1L,
                            "d_a",
                            0L,
                            T0,
                            "alice",
                            0L,
                            new ConversationCreated(
                                    ConversationType.DIRECT, null, List.of("alice", "bob"), List.of(), null, null)));
            producer.send(new ProducerRecord<>(topic, "d_a", "garbage".getBytes(StandardCharsets.UTF_8)));
            // a sender id over Lucene's 32,766-byte term limit: the server refuses it, no retry helps
            send(producer, topic, message("d_bad", 1, "x".repeat(40_000)));
            for (long seq = 1; seq <= 200; seq++) {
                send(producer, topic, message("d_a", seq, "alice"));
            }
            for (long seq = 1; seq <= 200; seq++) { // the same events again: a redelivery
                send(producer, topic, message("d_a", seq, "alice"));
            }
            producer.flush();
            awaitCount(OpenSearchNodeExtension.url(), index, 200);

            List<ConsumerRecord<byte[], byte[]>> dead = read(dlq, 2);
            assertThat(dead).as("the undecodable record and the refused one").hasSize(2);
            assertThat(dead.stream().map(r -> header(r, "__connect.errors.exception.message")))
                    .anySatisfy(m -> assertThat(m).contains("immense term"));
            JsonNode hit = search(OpenSearchNodeExtension.url(), index, "{\"query\":{\"term\":{\"key\":\"d_a:7\"}}}")
                    .path("hits")
                    .path("hits")
                    .get(0);
            assertThat(hit.path("_id").asText()).isEqualTo("d_a:7");
            assertThat(hit.path("_routing").asText()).isEqualTo("d_a");
            assertThat(hit.path("_index").asText())
                    .as("written through the alias")
                    .isEqualTo(index + "-v1");
            assertThat(hit.path("_source").path("body").asText()).isEqualTo("body number 7");
            assertThat(hit.path("_source").path("sender").asText()).isEqualTo("alice");
            assertThat(hit.path("_source").path("message_id").asText()).isEqualTo("1007");
        } finally {
            connect.stop();
            connect.awaitStop();
        }
    }

    @Test
    void shouldIndexEveryMessageExactlyOnceAfterTheNodeWasDownThirtySeconds() throws Exception {
        String topic = KafkaClusterExtension.unique("outage");
        String index = OpenSearchNodeExtension.newIndexName();
        createTopic(topic, 2);
        SearchNode node = new SearchNode(
                Files.createTempDirectory("search-outage"),
                FreePorts.next(),
                FreePorts.next(),
                256,
                OpenSearchNodeExtension.classpath());
        Connect<StandaloneHerder> connect = startWorker();
        try (KafkaProducer<String, byte[]> producer = producer()) {
            node.awaitReady();
            Map<String, String> cfg = sinkConfig(topic, index, node.url(), topic + "-dlq");
            cfg.put(OpenSearchSinkConfig.RETRY_BACKOFF_MS, "500");
            cfg.put(OpenSearchSinkConfig.REQUEST_TIMEOUT_MS, "2000");
            SinkWorkers.register(connect, cfg);
            for (long seq = 1; seq <= 500; seq++) {
                send(producer, topic, message("d_o" + (seq % 10), seq, "alice"));
            }
            producer.flush();
            awaitCount(node.url(), index, 500);

            // before, the worker logged an ERROR line with a stack trace a backoff through the outage
            ErrorLog logged = ErrorLog.attach();
            node.kill(); // a crash, not a clean stop: acknowledged writes come back from the translog
            long downUntil = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            long seq = 500;
            while (System.nanoTime() < downUntil) { // messages keep coming while the node is down
                for (int i = 0; i < 50; i++) {
                    seq++;
                    send(producer, topic, message("d_o" + (seq % 10), seq, "alice"));
                }
                producer.flush();
                Thread.sleep(500); // pacing the load, not waiting for an outcome
            }
            node.launch(); // the same data folder
            node.awaitReady();
            awaitCount(node.url(), index, seq);
            logged.detach();
            logged.assertNoErrors("the Connect worker and the sink", "org.apache.kafka", "dev.parley");
            assertThat(logged.messages(Level.WARN, "dev.parley.connect"))
                    .as("the sink's WARN line per failed batch")
                    // not necessarily "1 of": a bulk request that timed out just before the kill
                    // (slow CI, 2 s timeout) has counted one already, and its retry is the outage's first
                    .anySatisfy(m -> assertThat(m).matches("OpenSearch write failed \\(\\d+ of 300 retries\\).*"));
            JsonNode agg = search(
                    node.url(),
                    index,
                    "{\"size\":0,\"track_total_hits\":true,\"aggs\":{\"ids\":{\"cardinality\":"
                            + "{\"field\":\"key\",\"precision_threshold\":40000}}}}");
            assertThat(agg.path("hits").path("total").path("value").asLong())
                    .as("every message, none twice")
                    .isEqualTo(seq);
            assertThat(agg.path("aggregations").path("ids").path("value").asLong())
                    .isEqualTo(seq);
        } finally {
            connect.stop();
            connect.awaitStop();
            node.close();
        }
    }

    @Test
    void shouldRebuildTheIndexFromTheLogWithIdenticalResults() throws Exception {
        String topic = KafkaClusterExtension.unique("rebuild");
        String index = OpenSearchNodeExtension.newIndexName();
        createTopic(topic, 2);
        int rest = FreePorts.next();
        Connect<StandaloneHerder> connect = startWorker(rest);
        try (KafkaProducer<String, byte[]> producer = producer()) {
            Map<String, String> cfg = sinkConfig(topic, index, OpenSearchNodeExtension.url(), topic + "-dlq");
            SinkWorkers.register(connect, cfg);
            for (long seq = 1; seq <= 150; seq++) {
                send(producer, topic, message("d_r" + (seq % 3), seq, seq % 2 == 0 ? "alice" : "bob"));
            }
            producer.flush();
            awaitCount(OpenSearchNodeExtension.url(), index, 150);
            String query = "{\"size\":200,\"query\":{\"bool\":{\"must\":[{\"match\":{\"body\":\"number\"}}],"
                    + "\"filter\":[{\"term\":{\"sender\":\"bob\"}}]}},\"sort\":[{\"_score\":\"desc\"},"
                    + "{\"ts\":\"desc\"},{\"key\":\"desc\"}]}";
            JsonNode before =
                    search(OpenSearchNodeExtension.url(), index, query).path("hits");

            List<String> steps = new java.util.ArrayList<>();
            new SearchRebuild("http://127.0.0.1:" + rest, OpenSearchNodeExtension.url(), cfg.get("name"), index)
                    .run(steps::add);
            assertThat(steps).anyMatch(l -> l.contains("deleted index " + index + "-v1"));
            awaitCount(OpenSearchNodeExtension.url(), index, 150);
            JsonNode after = search(OpenSearchNodeExtension.url(), index, query).path("hits");
            assertThat(after.path("hits").size()).isEqualTo(75);
            assertThat(after.path("hits")).as("the same hits in the same order").isEqualTo(before.path("hits"));
        } finally {
            connect.stop();
            connect.awaitStop();
        }
    }

    private void send(KafkaProducer<String, byte[]> producer, String topic, ConversationEvent e) {
        producer.send(new ProducerRecord<>(
                topic, e.getConversationId(), serdes.event().serialize(topic, e)));
    }

    static JsonNode search(String url, String index, String body) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(URI.create(url + "/" + index + "/_search"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body());
    }

    private static long count(String url, String index) {
        try {
            HttpResponse<String> r = HTTP.send(
                    HttpRequest.newBuilder(URI.create(url + "/" + index + "/_count"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? JSON.readTree(r.body()).path("count").asLong() : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static void awaitCount(String url, String index, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        long seen = count(url, index);
        while (seen < expected) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("indexed " + seen + " of " + expected);
            }
            Thread.sleep(200);
            seen = count(url, index);
        }
        assertThat(seen).isEqualTo(expected);
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String key) {
        var h = record.headers().lastHeader(key);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static List<ConsumerRecord<byte[], byte[]>> read(String topic, int atLeast) {
        Properties p = new Properties();
        p.put("bootstrap.servers", KafkaClusterExtension.bootstrapServers());
        p.put("group.id", "read-" + topic);
        p.put("auto.offset.reset", "earliest");
        List<ConsumerRecord<byte[], byte[]>> out = new java.util.ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (out.size() < atLeast && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            consumer.poll(Duration.ofMillis(500)).forEach(out::add); // more than expected must show
        }
        return out;
    }

    private static void createTopic(String topic, int partitions) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", KafkaClusterExtension.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
                    .all()
                    .get();
        }
    }

    static Map<String, String> sinkConfig(String topic, String index, String url, String dlq) {
        Map<String, String> cfg = new HashMap<>();
        cfg.put("name", "search-sink-" + topic);
        cfg.put("connector.class", OpenSearchSinkConnector.class.getName());
        cfg.put("tasks.max", "1");
        cfg.put("topics", topic);
        cfg.put(OpenSearchSinkConfig.URLS, url);
        cfg.put(OpenSearchSinkConfig.INDEX, index);
        cfg.put("errors.tolerance", "all");
        cfg.put("errors.deadletterqueue.topic.name", dlq);
        cfg.put("errors.deadletterqueue.topic.replication.factor", "1");
        cfg.put("errors.deadletterqueue.context.headers.enable", "true");
        return cfg;
    }

    private static Connect<StandaloneHerder> startWorker() throws IOException {
        return startWorker(FreePorts.next());
    }

    private static Connect<StandaloneHerder> startWorker(int restPort) throws IOException {
        Path dir = Files.createTempDirectory("connect");
        Map<String, String> worker = new HashMap<>();
        worker.put("bootstrap.servers", KafkaClusterExtension.bootstrapServers());
        worker.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        worker.put("value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
        worker.put("offset.storage.file.filename", dir.resolve("offsets").toString());
        worker.put("offset.flush.interval.ms", "500");
        worker.put("listeners", "http://127.0.0.1:" + restPort);
        worker.put("plugin.discovery", "service_load");
        return new ConnectStandalone().startConnect(worker);
    }

    private static KafkaProducer<String, byte[]> producer() {
        Properties p = new Properties();
        p.put("bootstrap.servers", KafkaClusterExtension.bootstrapServers());
        p.put("acks", "all");
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }
}
