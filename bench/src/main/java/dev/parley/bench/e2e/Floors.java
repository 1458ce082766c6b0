package dev.parley.bench.e2e;

import dev.parley.topology.TopologySettings;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;

/**
 * The floor Parley is compared with, on the same broker in the same run: (1) a raw Kafka produce to
 * consume round trip with the edge's producer settings (acks=all, idempotent, linger 0); (2) the
 * same through one bare Kafka Streams pass-through hop with the topology's guarantee and commit
 * interval (exactly_once_v2, 50 ms), read with read_committed as the edges read. Parley's path is
 * one Streams hop plus two edges, so (2) is the honest floor.
 */
final class Floors {

    private Floors() {}

    static Histogram rawKafka(String bootstrap, double rate, Duration warmup, Duration measured) throws Exception {
        String topic = "bench.floor.raw." + UUID.randomUUID().toString().substring(0, 8);
        createTopics(bootstrap, topic);
        return roundTrip(bootstrap, topic, topic, false, rate, warmup, measured);
    }

    static Histogram streamsHop(String bootstrap, double rate, Duration warmup, Duration measured) throws Exception {
        return streamsHop(bootstrap, rate, warmup, measured, true, Map.of());
    }

    /** The exactly_once_v2 hop with topology settings changed as the stack under test has them. */
    static Histogram streamsHop(
            String bootstrap, double rate, Duration warmup, Duration measured, Map<String, Object> topology)
            throws Exception {
        return streamsHop(bootstrap, rate, warmup, measured, true, topology);
    }

    /**
     * The same hop under at_least_once (commit interval and poll as the topology's, output visible
     * as soon as it is written): what a signal kept off the exactly-once path could cost at best.
     */
    static Histogram atLeastOnceStreamsHop(String bootstrap, double rate, Duration warmup, Duration measured)
            throws Exception {
        return streamsHop(bootstrap, rate, warmup, measured, false, Map.of());
    }

    private static Histogram streamsHop(
            String bootstrap,
            double rate,
            Duration warmup,
            Duration measured,
            boolean exactlyOnce,
            Map<String, Object> topologySettings)
            throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String in = "bench.floor.in." + run;
        String out = "bench.floor.out." + run;
        createTopics(bootstrap, in, out);
        Topology topology = new Topology();
        topology.addSource("in", in).addSink("out", out, "in");
        // the topology's own Streams settings (guarantee, commit interval, poll.ms, linger), one thread
        Map<String, Object> settings = new java.util.HashMap<>(topologySettings);
        settings.put(TopologySettings.BOOTSTRAP_SERVERS, bootstrap);
        settings.put(TopologySettings.APPLICATION_ID, "bench-floor-" + run);
        // one thread whatever the stack runs: the floor is one hop of one record at a time
        settings.put(TopologySettings.STREAM_THREADS, 1);
        Properties p = new TopologySettings(settings).streamsProperties();
        p.remove(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG);
        if (!exactlyOnce) {
            p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
            // the topology lingers for its commit interval because EOS output waits for the commit
            // anyway; at_least_once output is visible when written, so send it at once
            p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 0);
        }
        p.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class);
        p.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class);
        p.put(
                StreamsConfig.STATE_DIR_CONFIG,
                Files.createTempDirectory("bench-floor").toString());
        try (KafkaStreams streams = new KafkaStreams(topology, p)) {
            streams.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (streams.state() != KafkaStreams.State.RUNNING) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("floor streams app never ran: " + streams.state());
                }
                Thread.sleep(50);
            }
            return roundTrip(bootstrap, in, out, exactlyOnce, rate, warmup, measured);
        }
    }

    private static void createTopics(String bootstrap, String... names) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            List<NewTopic> topics = java.util.Arrays.stream(names)
                    .map(n -> new NewTopic(n, 3, (short) 1))
                    .toList();
            admin.createTopics(topics).all().get();
        }
    }

    private static Histogram roundTrip(
            String bootstrap,
            String produceTo,
            String consumeFrom,
            boolean readCommitted,
            double rate,
            Duration warmup,
            Duration measured)
            throws Exception {
        Histogram micros = new ConcurrentHistogram(3_600_000_000L, 3);
        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        pp.put(ProducerConfig.ACKS_CONFIG, "all");
        pp.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        pp.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        Properties cp = new Properties();
        cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        cp.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-floor-" + UUID.randomUUID());
        cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        if (readCommitted) {
            cp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        }
        long period = (long) (1e9 / rate);
        long start;
        AtomicBoolean done = new AtomicBoolean();
        try (KafkaProducer<String, byte[]> producer =
                        new KafkaProducer<>(pp, new StringSerializer(), new ByteArraySerializer());
                KafkaConsumer<String, byte[]> consumer =
                        new KafkaConsumer<>(cp, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(consumeFrom));
            while (consumer.assignment().size() < 3) {
                consumer.poll(Duration.ofMillis(100));
            }
            start = System.nanoTime() + 50_000_000L;
            long from = start + warmup.toNanos();
            long until = from + measured.toNanos();
            Thread reader = new Thread(() -> {
                while (!done.get()) {
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                        long now = System.nanoTime();
                        long due = ByteBuffer.wrap(r.value()).getLong();
                        if (due >= from && due < until) {
                            micros.recordValue(Math.max(0, (now - due) / 1000));
                        }
                    }
                }
            });
            reader.start();
            byte[] padding = new byte[200 - Long.BYTES];
            for (long i = 0; ; i++) {
                long due = start + i * period;
                if (due >= until) {
                    break;
                }
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                byte[] value =
                        ByteBuffer.allocate(200).putLong(due).put(padding).array();
                producer.send(new ProducerRecord<>(produceTo, "k" + (i % 64), value));
            }
            // the last records' drain: a loaded machine delays the tail by hundreds of ms, so full
            // runs wait 3 s (a shorter drain would cut the tail off the histogram); the smoke 1.5 s
            Thread.sleep(measured.toSeconds() >= 10 ? 3_000 : 1_500);
            done.set(true);
            reader.join();
        }
        return micros;
    }
}
