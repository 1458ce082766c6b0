package dev.parley.connect.cassandra;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import dev.parley.cassandra.CassandraNode;
import dev.parley.schema.ConversationCreated;
import dev.parley.schema.ConversationEvent;
import dev.parley.schema.ConversationType;
import dev.parley.schema.MessagePosted;
import dev.parley.schema.ParleySerdes;
import dev.parley.schema.ReactionChanged;
import dev.parley.schema.ReactionOp;
import dev.parley.schema.ReceiptAdvanced;
import dev.parley.testkit.CassandraNodeExtension;
import dev.parley.testkit.FreePorts;
import dev.parley.testkit.KafkaClusterExtension;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.connect.cli.ConnectStandalone;
import org.apache.kafka.connect.runtime.Connect;
import org.apache.kafka.connect.runtime.standalone.StandaloneHerder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The sink with a real Cassandra 5 node, a real broker and a real Connect worker. */
@ExtendWith({KafkaClusterExtension.class, CassandraNodeExtension.class})
class CassandraSinkIT {

    private static final Instant T0 = Instant.parse("2026-06-01T08:00:00Z");
    private final ParleySerdes serdes = new ParleySerdes();

    static ConversationEvent created(String conv) {
        return new ConversationEvent(
                1L,
                conv,
                0L,
                T0,
                "alice",
                new ConversationCreated(ConversationType.DIRECT, null, List.of("alice", "bob"), List.of()));
    }

    static ConversationEvent message(String conv, long seq) {
        return new ConversationEvent(
                1000 + seq,
                conv,
                seq,
                T0.plusMillis(seq),
                "alice",
                new MessagePosted(1000 + seq, "m" + seq, "body " + seq, List.of(), null, null));
    }

    private static CqlSession session(int port) {
        return CqlSession.builder()
                .addContactPoint(new InetSocketAddress("127.0.0.1", port))
                .withLocalDatacenter("datacenter1")
                .build();
    }

    private static long count(CqlSession s, String keyspace, String conv, long lastSeq) {
        long n = 0;
        for (long bucket = 0; bucket <= lastSeq / 1000; bucket++) {
            n += s.execute(
                            "SELECT COUNT(*) FROM " + keyspace + ".messages WHERE conversation_id = ? AND bucket = ?",
                            conv,
                            bucket)
                    .one()
                    .getLong(0);
        }
        return n;
    }

    @Test
    void shouldWriteIdempotentlySoAReplayChangesNothing() {
        String keyspace = CassandraNodeExtension.newKeyspace();
        try (CqlSession s = session(CassandraNodeExtension.port())) {
            EventWriter writer = new EventWriter(s, keyspace, "{'class': 'SimpleStrategy', 'replication_factor': 1}");
            List<ConversationEvent> events = new ArrayList<>();
            events.add(created("d_x"));
            for (long seq = 1; seq <= 2500; seq++) {
                events.add(message("d_x", seq));
            }
            events.add(new ConversationEvent(9L, "d_x", 2500L, T0, "bob", new ReceiptAdvanced("bob", 2500L, 2000L)));
            events.add(new ConversationEvent(
                    10L, "d_x", 2500L, T0, "bob", new ReactionChanged(999L, "bob", "👍", ReactionOp.ADD)));
            writeAll(writer, events);
            writeAll(writer, events); // the replay
            writeAll(writer, List.of(message("d_x", 10))); // an old event arriving late

            assertThat(count(s, keyspace, "d_x", 2500)).isEqualTo(2500);
            assertThat(s.execute("SELECT last_seq FROM " + keyspace + ".conversations WHERE conversation_id = 'd_x'")
                            .one()
                            .getLong(0))
                    .as("last_seq never moves backwards")
                    .isEqualTo(2500);
            assertThat(s.execute("SELECT read FROM " + keyspace
                                    + ".conversations_by_user WHERE user_id = 'bob' AND conversation_id = 'd_x'")
                            .one()
                            .getLong(0))
                    .isEqualTo(2000);
            assertThat(s.execute("SELECT COUNT(*) FROM " + keyspace
                                    + ".reactions WHERE conversation_id = 'd_x' AND bucket = 0")
                            .one()
                            .getLong(0))
                    .isEqualTo(1);
            assertThat(s.execute("SELECT COUNT(*) FROM " + keyspace
                                    + ".conversation_members WHERE conversation_id = 'd_x'")
                            .one()
                            .getLong(0))
                    .isEqualTo(2);
        }
    }

    private static void writeAll(EventWriter writer, List<ConversationEvent> events) {
        List<CompletableFuture<?>> writes = new ArrayList<>();
        for (ConversationEvent e : events) {
            writes.add(writer.write(e).toCompletableFuture());
            if (writes.size() >= 64) {
                CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new))
                        .join();
                writes.clear();
            }
        }
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).join();
    }

    @Test
    void shouldCatchUpWithNothingLostAfterACassandraOutage() throws Exception {
        CassandraNode node = new CassandraNode(
                Files.createTempDirectory("sink-outage"),
                FreePorts.next(),
                FreePorts.next(),
                512,
                CassandraNode.classpathFrom(Path.of("../cassandra-node/target/cassandra.classpath")));
        String topic = KafkaClusterExtension.unique("events");
        String keyspace = CassandraNodeExtension.newKeyspace();
        String dlq = topic + "-dlq";
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", KafkaClusterExtension.bootstrapServers()));
                KafkaProducer<String, byte[]> producer = producer()) {
            admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get();
            node.awaitReady();
            Connect<StandaloneHerder> connect = startWorker(Files.createTempDirectory("connect"));
            try {
                Map<String, String> cfg = new HashMap<>();
                cfg.put("name", "cassandra-sink-" + topic);
                cfg.put("connector.class", CassandraSinkConnector.class.getName());
                cfg.put("tasks.max", "1");
                cfg.put("topics", topic);
                cfg.put(CassandraSinkConfig.CONTACT_POINTS, "127.0.0.1:" + node.nativePort());
                cfg.put(CassandraSinkConfig.KEYSPACE, keyspace);
                cfg.put(CassandraSinkConfig.REQUEST_TIMEOUT_MS, "2000");
                cfg.put(CassandraSinkConfig.RETRY_BACKOFF_MS, "500");
                cfg.put("errors.tolerance", "all");
                cfg.put("errors.deadletterqueue.topic.name", dlq);
                cfg.put("errors.deadletterqueue.topic.replication.factor", "1");
                var registered = new CompletableFuture<Void>();
                connect.herder().putConnectorConfig(cfg.get("name"), cfg, true, (error, info) -> {
                    if (error != null) {
                        registered.completeExceptionally(error);
                    } else {
                        registered.complete(null);
                    }
                });
                registered.get(30, TimeUnit.SECONDS);

                producer.send(new ProducerRecord<>(topic, "d_y", serdes.event().serialize(topic, created("d_y"))));
                producer.send(new ProducerRecord<>(topic, "d_y", "garbage".getBytes()));
                for (long seq = 1; seq <= 500; seq++) {
                    producer.send(
                            new ProducerRecord<>(topic, "d_y", serdes.event().serialize(topic, message("d_y", seq))));
                }
                producer.flush();
                try (CqlSession s = session(node.nativePort())) {
                    await(() -> lastSeq(s, keyspace, "d_y"), 500);
                }

                node.close(); // Cassandra goes away while messages keep coming
                for (long seq = 501; seq <= 1000; seq++) {
                    producer.send(
                            new ProducerRecord<>(topic, "d_y", serdes.event().serialize(topic, message("d_y", seq))));
                }
                producer.flush();
                Thread.sleep(Duration.ofSeconds(60).toMillis()); // the outage of issue #5: the sink retries meanwhile
                node.launch(); // the same data folder: the commit log is replayed
                node.awaitReady();
                try (CqlSession s = session(node.nativePort())) {
                    await(() -> lastSeq(s, keyspace, "d_y"), 1000);
                    assertThat(count(s, keyspace, "d_y", 1000)).isEqualTo(1000);
                    // seq 999 closes bucket 0, seq 1000 opens bucket 1: the layout history pages across
                    assertThat(s.execute("SELECT seq FROM " + keyspace + ".messages WHERE conversation_id = 'd_y'"
                                            + " AND bucket = 0 LIMIT 1")
                                    .one()
                                    .getLong(0))
                            .isEqualTo(999);
                    assertThat(s.execute("SELECT seq FROM " + keyspace + ".messages WHERE conversation_id = 'd_y'"
                                            + " AND bucket = 1 LIMIT 1")
                                    .one()
                                    .getLong(0))
                            .isEqualTo(1000);
                }
                assertThat(ConsumedRecords.count(KafkaClusterExtension.bootstrapServers(), dlq, 1))
                        .as("the undecodable record went to the dead-letter topic")
                        .isEqualTo(1);
            } finally {
                connect.stop();
                connect.awaitStop();
            }
        } finally {
            node.close();
        }
    }

    private static long lastSeq(CqlSession s, String keyspace, String conv) {
        try {
            var row = s.execute("SELECT last_seq FROM " + keyspace + ".conversations WHERE conversation_id = ?", conv)
                    .one();
            return row == null || row.isNull(0) ? 0 : row.getLong(0);
        } catch (RuntimeException e) {
            return -1; // keyspace not there yet
        }
    }

    private static void await(LongSupplier value, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        long seen = value.getAsLong();
        while (seen < expected) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("reached " + seen + " of " + expected);
            }
            Thread.sleep(200);
            seen = value.getAsLong();
        }
    }

    private static Connect<StandaloneHerder> startWorker(Path dir) {
        Map<String, String> worker = new HashMap<>();
        worker.put("bootstrap.servers", KafkaClusterExtension.bootstrapServers());
        worker.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        worker.put("value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
        worker.put("offset.storage.file.filename", dir.resolve("offsets").toString());
        worker.put("offset.flush.interval.ms", "500");
        worker.put("listeners", "http://127.0.0.1:" + FreePorts.next());
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
