package dev.parley.bench;

import com.datastax.oss.driver.api.core.CqlSession;
import dev.parley.cassandra.CassandraNode;
import dev.parley.connect.cassandra.CassandraSinkConfig;
import dev.parley.connect.cassandra.CassandraSinkConnector;
import dev.parley.schema.AvroSerde;
import dev.parley.schema.CassandraMigrator;
import dev.parley.schema.ConversationEvent;
import dev.parley.schema.MessagePosted;
import dev.parley.schema.ParleySerdes;
import dev.parley.testkit.FreePorts;
import dev.parley.testkit.SingleNodeKafka;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
 * Cassandra sink lag: the time from an event's produce (acks=all) to its row being readable, at a
 * fixed rate, open loop. Real Kafka (KRaft), a real Cassandra 5 node and a real Connect worker, all
 * on this machine. A poller reads the conversation's {@code last_seq} every 2 ms; when it reaches S,
 * every event up to S is readable, and its lag is that moment minus its send time.
 *
 * <p>{@code ./mvnw -B -q -pl bench -am install -DskipTests && ./mvnw -B -q -pl bench exec:java
 * -Dexec.args="1000 60"} (rate per second, seconds).
 */
public final class SinkLagBenchmark {

    /** What one run measured. */
    public record Result(int rate, int seconds, long events, Histogram lagMicros, double sentPerSecond) {
        public String summary() {
            return String.format(
                    Locale.ROOT,
                    "sink lag at %d events/s for %d s: %d events, sent %.0f/s, p50 %.1f ms, p90 %.1f ms, p99 %.1f ms,"
                            + " p99.9 %.1f ms, max %.1f ms",
                    rate,
                    seconds,
                    events,
                    sentPerSecond,
                    ms(lagMicros, 50),
                    ms(lagMicros, 90),
                    ms(lagMicros, 99),
                    ms(lagMicros, 99.9),
                    lagMicros.getMaxValue() / 1000.0);
        }

        private static double ms(Histogram h, double percentile) {
            return h.getValueAtPercentile(percentile) / 1000.0;
        }
    }

    private SinkLagBenchmark() {}

    public static void main(String[] args) throws Exception {
        int rate = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        Result result = run(rate, seconds, Path.of("cassandra-node/target/cassandra.classpath"));
        System.out.println(result.summary());
        System.exit(0);
    }

    public static Result run(int rate, int seconds, Path cassandraClasspathFile) throws Exception {
        try (SingleNodeKafka kafka = SingleNodeKafka.start();
                CassandraNode cassandra = new CassandraNode(
                        Files.createTempDirectory("bench-cassandra"),
                        FreePorts.next(),
                        FreePorts.next(),
                        1024,
                        CassandraNode.classpathFrom(cassandraClasspathFile))) {
            cassandra.awaitReady();
            String topic = "bench.events";
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1)))
                        .all()
                        .get();
            }
            // the sink only checks the schema version: the migrate step makes the tables first
            try (CqlSession cql = CqlSession.builder()
                    .addContactPoint(new InetSocketAddress("127.0.0.1", cassandra.nativePort()))
                    .withLocalDatacenter("datacenter1")
                    .build()) {
                new CassandraMigrator(cql, "parley_bench", "{'class': 'SimpleStrategy', 'replication_factor': 1}")
                        .migrate();
            }
            Connect<StandaloneHerder> connect = worker(kafka.bootstrapServers());
            try {
                deploySink(connect, topic, cassandra.contactPoint());
                return measure(kafka.bootstrapServers(), topic, cassandra.nativePort(), rate, seconds);
            } finally {
                connect.stop();
                connect.awaitStop();
            }
        }
    }

    private static Result measure(String bootstrap, String topic, int cqlPort, int rate, int seconds) throws Exception {
        int total = rate * seconds;
        long[] sentAt = new long[total + 1];
        Histogram lag = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
        AvroSerde<ConversationEvent> serde = new ParleySerdes().event();
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("acks", "all");
        p.put("linger.ms", "0");
        try (CqlSession cql = CqlSession.builder()
                        .addContactPoint(new InetSocketAddress("127.0.0.1", cqlPort))
                        .withLocalDatacenter("datacenter1")
                        .build();
                KafkaProducer<String, byte[]> producer =
                        new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            warmUp(cql, producer, serde, topic);
            var lastSeq =
                    cql.prepare("SELECT last_seq FROM parley_bench.conversations WHERE conversation_id = 'd_bench'");
            CompletableFuture<Void> poller = CompletableFuture.runAsync(() -> {
                long seen = 0;
                while (seen < total) {
                    var row = cql.execute(lastSeq.bind()).one();
                    long now = System.nanoTime();
                    long last = row == null || row.isNull(0) ? 0 : row.getLong(0);
                    for (long s = seen + 1; s <= Math.min(last, total); s++) {
                        while (sentAt[(int) s] == 0) {
                            Thread.onSpinWait(); // the send time is written right after send()
                        }
                        lag.recordValue(Math.max(0, (now - sentAt[(int) s]) / 1000));
                    }
                    seen = Math.max(seen, last);
                    sleepMillis(2);
                }
            });
            long start = System.nanoTime();
            long interval = 1_000_000_000L / rate;
            for (int seq = 1; seq <= total; seq++) {
                long due = start + (seq - 1) * interval;
                while (System.nanoTime() < due) {
                    Thread.onSpinWait();
                }
                producer.send(new ProducerRecord<>(topic, "d_bench", serde.serialize(topic, event(seq))));
                sentAt[seq] = System.nanoTime();
            }
            double sentPerSecond = total / ((System.nanoTime() - start) / 1e9);
            poller.get(120, TimeUnit.SECONDS);
            return new Result(rate, seconds, total, lag, sentPerSecond);
        }
    }

    /** Connect, the driver and Cassandra all warm up on the first writes; they are not measured. */
    private static void warmUp(
            CqlSession cql, KafkaProducer<String, byte[]> producer, AvroSerde<ConversationEvent> serde, String topic)
            throws InterruptedException {
        for (int i = 1; i <= 500; i++) {
            producer.send(new ProducerRecord<>(
                    topic,
                    "d_warm",
                    serde.serialize(
                            topic,
                            new ConversationEvent(
                                    (long) i,
                                    "d_warm",
                                    (long) i,
                                    Instant.now(),
                                    "w",
                                    0L,
                                    new MessagePosted(
                                            (long) i, "w" + i, "warm", List.of(), null, null, null, List.of(),
                                            List.of())))));
        }
        producer.flush();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            try {
                var row = cql.execute(
                                "SELECT last_seq FROM parley_bench.conversations WHERE conversation_id = 'd_warm'")
                        .one();
                if (row != null && !row.isNull(0) && row.getLong(0) == 500) {
                    return;
                }
            } catch (RuntimeException e) {
                // the keyspace appears once the sink task started
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("sink did not warm up within 120 s");
    }

    private static ConversationEvent event(long seq) {
        return new ConversationEvent(
                seq,
                "d_bench",
                seq,
                Instant.now(),
                "alice",
                0L,
                new MessagePosted(seq, "m" + seq, "x".repeat(200), List.of(), null, null, null, List.of(), List.of()));
    }

    private static Connect<StandaloneHerder> worker(String bootstrap) throws Exception {
        Map<String, String> worker = new HashMap<>();
        worker.put("bootstrap.servers", bootstrap);
        worker.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        worker.put("value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
        worker.put(
                "offset.storage.file.filename",
                Files.createTempFile("bench-offsets", "").toString());
        worker.put("listeners", "http://127.0.0.1:" + FreePorts.next());
        worker.put("plugin.discovery", "service_load");
        // the sink sees records as soon as they arrive, not in 500 ms polls
        worker.put("consumer.fetch.max.wait.ms", "5");
        return new ConnectStandalone().startConnect(worker);
    }

    private static void deploySink(Connect<StandaloneHerder> connect, String topic, String contactPoint)
            throws Exception {
        Map<String, String> cfg = new HashMap<>();
        cfg.put("name", "bench-sink");
        cfg.put("connector.class", CassandraSinkConnector.class.getName());
        cfg.put("tasks.max", "1");
        cfg.put("topics", topic);
        cfg.put(CassandraSinkConfig.CONTACT_POINTS, contactPoint);
        cfg.put(CassandraSinkConfig.KEYSPACE, "parley_bench");
        CompletableFuture<Void> done = new CompletableFuture<>();
        connect.herder().putConnectorConfig("bench-sink", cfg, true, (e, info) -> {
            if (e == null) {
                done.complete(null);
            } else {
                done.completeExceptionally(e);
            }
        });
        done.get(30, TimeUnit.SECONDS);
    }

    private static void sleepMillis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
