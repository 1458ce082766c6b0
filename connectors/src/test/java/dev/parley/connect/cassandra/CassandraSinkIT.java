package dev.parley.connect.cassandra;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.Statement;
import com.datastax.oss.driver.api.core.servererrors.WriteTimeoutException;
import com.datastax.oss.driver.api.core.servererrors.WriteType;
import dev.parley.connect.RecordingContext;
import dev.parley.connect.SinkWorkers;
import dev.parley.schema.ConversationCreated;
import dev.parley.schema.ConversationEvent;
import dev.parley.schema.ConversationType;
import dev.parley.schema.ConversationUpdated;
import dev.parley.schema.MediaDescriptor;
import dev.parley.schema.MediaThumbnail;
import dev.parley.schema.MembersChanged;
import dev.parley.schema.MessageDeleted;
import dev.parley.schema.MessagePosted;
import dev.parley.schema.ParleySerdes;
import dev.parley.schema.ReactionChanged;
import dev.parley.schema.ReactionOp;
import dev.parley.schema.ReceiptAdvanced;
import dev.parley.schema.history.EventWriter;
import dev.parley.testkit.CassandraNodeExtension;
import dev.parley.testkit.ErrorLog;
import dev.parley.testkit.FreePorts;
import dev.parley.testkit.KafkaClusterExtension;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.connect.cli.ConnectStandalone;
import org.apache.kafka.connect.runtime.Connect;
import org.apache.kafka.connect.runtime.standalone.StandaloneHerder;
import org.apache.kafka.connect.sink.SinkRecord;
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
                0L,
                new ConversationCreated(ConversationType.DIRECT, null, List.of("alice", "bob"), List.of(), null, null));
    }

    static ConversationEvent message(String conv, long seq) {
        return new ConversationEvent(
                1000 + seq,
                conv,
                seq,
                T0.plusMillis(seq),
                "alice",
                0L,
                new MessagePosted(
                        1000 + seq, "m" + seq, "body " + seq, List.of(), null, null, null, List.of(), List.of()));
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
    void shouldStoreMediaDescriptorsWithTheMessageAndAReferenceForItsReaders() {
        String keyspace = CassandraNodeExtension.newMigratedKeyspace();
        MediaDescriptor photo = new MediaDescriptor(
                "m_photo", "image/jpeg", 12345L, "beach.jpg", 4000, 3000, new MediaThumbnail(320, 240));
        MediaDescriptor video = new MediaDescriptor("m_video", "video/mp4", 999L, "clip.mp4", null, null, null);
        try (CqlSession s = CassandraNodeExtension.session()) {
            EventWriter writer = new EventWriter(s, keyspace, 64, 4096);
            ConversationEvent posted = new ConversationEvent(
                    1001L,
                    "g_media",
                    1L,
                    T0,
                    "alice",
                    0L,
                    new MessagePosted(
                            1001L,
                            "c1",
                            "",
                            List.of("m_photo", "m_video"),
                            null,
                            null,
                            null,
                            List.of(photo, video),
                            List.of()));
            writeAll(writer, List.of(created("g_media"), posted));
            writeAll(writer, List.of(posted)); // a replay writes the same rows

            List<String> stored = s.execute("SELECT attachments FROM " + keyspace
                            + ".messages WHERE conversation_id = 'g_media' AND bucket = 0 AND seq = 1")
                    .one()
                    .getList(0, String.class);
            assertThat(stored)
                    .containsExactly(
                            "{\"media_id\":\"m_photo\",\"content_type\":\"image/jpeg\",\"size\":12345,"
                                    + "\"filename\":\"beach.jpg\",\"width\":4000,\"height\":3000,"
                                    + "\"thumbnail\":{\"width\":320,\"height\":240}}",
                            "{\"media_id\":\"m_video\",\"content_type\":\"video/mp4\",\"size\":999,"
                                    + "\"filename\":\"clip.mp4\",\"thumbnail\":null}");
            for (String media : List.of("m_photo", "m_video")) {
                assertThat(uses(s, keyspace, media)).containsExactly("g_media:1");
            }
        }
    }

    private static List<String> uses(CqlSession s, String keyspace, String media) {
        return s
                .execute("SELECT conversation_id, seq FROM " + keyspace + ".media_uses WHERE media_id = ?", media)
                .all()
                .stream()
                .map(r -> r.getString(0) + ":" + r.getLong(1))
                .toList();
    }

    private static List<String> releases(CqlSession s, String keyspace, Instant due) {
        return s
                .execute(
                        "SELECT due_at, media_id FROM " + keyspace + ".media_releases WHERE day = ?",
                        dev.parley.schema.HistoryTables.DAY.format(due))
                .all()
                .stream()
                .map(r -> r.getInstant(0).toEpochMilli() + ":" + r.getString(1))
                .toList();
    }

    private static ConversationEvent posted(String conv, long seq, Instant ts, Long retention, String... media) {
        return new ConversationEvent(
                2000 + seq,
                conv,
                seq,
                ts,
                "alice",
                seq,
                new MessagePosted(
                        2000 + seq, "c" + seq, "", List.of(media), null, null, retention, List.of(), List.of()));
    }

    @Test
    void shouldDropAMessagesMediaReferencesBeforeItsTombstoneAndQueueTheirRelease() {
        String keyspace = CassandraNodeExtension.newMigratedKeyspace();
        Instant now = Instant.now();
        Instant deletedAt = now.plusSeconds(5);
        try (CqlSession s = CassandraNodeExtension.session()) {
            EventWriter writer = new EventWriter(s, keyspace, 64, 4096);
            ConversationEvent deleteFirst = new ConversationEvent(
                    3001L, "g_rel", 3L, deletedAt, "alice", 10L, new MessageDeleted(1L, "alice", null));
            // the post and its delete in one batch, as a lagging sink gets them: the delete reads after the post
            ConversationEvent deleteThird = new ConversationEvent(
                    3003L, "g_rel", 3L, deletedAt, "alice", 11L, new MessageDeleted(3L, "alice", null));
            List<ConversationEvent> events = List.of(
                    created("g_rel"),
                    posted("g_rel", 1, now, null, "m_only", "m_shared"),
                    posted("g_rel", 2, now, null, "m_shared"),
                    posted("g_rel", 3, now, null, "m_third"),
                    deleteThird);
            writeAll(writer, events);
            assertThat(uses(s, keyspace, "m_shared")).containsExactly("g_rel:1", "g_rel:2");
            assertThat(uses(s, keyspace, "m_third")).isEmpty();

            writeAll(writer, List.of(deleteFirst));
            writeAll(writer, List.of(deleteFirst, deleteThird)); // redelivered: nothing more, nothing back
            assertThat(uses(s, keyspace, "m_only")).isEmpty();
            assertThat(uses(s, keyspace, "m_shared")).containsExactly("g_rel:2"); // message 2 still shows it
            long at = deletedAt.toEpochMilli();
            assertThat(releases(s, keyspace, deletedAt))
                    .containsExactlyInAnyOrder(at + ":m_only", at + ":m_shared", at + ":m_third");
            assertThat(s.execute("SELECT deleted FROM " + keyspace
                                    + ".messages WHERE conversation_id = 'g_rel' AND bucket = 0 AND seq = 1")
                            .one()
                            .getBoolean(0))
                    .isTrue();

            // a disappearing message: its reference expires with it and its release is due then
            Instant expires = now.plusSeconds(3600);
            writeAll(writer, List.of(posted("g_rel", 4, now, 3600L, "m_brief")));
            assertThat(uses(s, keyspace, "m_brief")).containsExactly("g_rel:4");
            assertThat(releases(s, keyspace, expires)).contains(expires.toEpochMilli() + ":m_brief");
        }
    }

    @Test
    void shouldWriteIdempotentlySoAReplayChangesNothing() {
        String keyspace = CassandraNodeExtension.newMigratedKeyspace();
        try (CqlSession s = CassandraNodeExtension.session()) {
            EventWriter writer = new EventWriter(s, keyspace, 64, 4096);
            List<ConversationEvent> events = new ArrayList<>();
            events.add(created("d_x"));
            for (long seq = 1; seq <= 2500; seq++) {
                events.add(message("d_x", seq));
            }
            events.add(
                    new ConversationEvent(9L, "d_x", 2500L, T0, "bob", 0L, new ReceiptAdvanced("bob", 2500L, 2000L)));
            events.add(new ConversationEvent(
                    10L, "d_x", 2500L, T0, "bob", 0L, new ReactionChanged(999L, "bob", "👍", ReactionOp.ADD, null)));
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
        writer.advanceConversations().join();
    }

    @Test
    void shouldNeverMoveLastSeqPastARowThatAwaitsItsRedelivery() {
        String keyspace = CassandraNodeExtension.newMigratedKeyspace();
        try (CqlSession s = CassandraNodeExtension.session();
                CqlSession real = CassandraNodeExtension.session()) {
            // the node times out the first write of message 1's row, as a node under load does
            AtomicInteger timeouts = new AtomicInteger();
            CqlSession timingOut = failingFirst(real, statement -> isRowOfMessage(statement, 1), timeouts);
            long[] now = {0};
            CassandraSinkTask task =
                    new CassandraSinkTask(config -> new EventWriter(timingOut, keyspace, 64, 4096), () -> now[0]);
            RecordingContext context = new RecordingContext();
            TopicPartition partition = new TopicPartition("events", 0);
            context.assignment.add(partition);
            task.initialize(context);
            task.start(Map.of(CassandraSinkConfig.RETRY_BACKOFF_MS, "500"));
            List<SinkRecord> batch = new ArrayList<>();
            batch.add(sinkRecord(created("d_hole"), 0));
            for (long seq = 1; seq <= 3; seq++) {
                batch.add(sinkRecord(message("d_hole", seq), seq));
            }

            task.put(batch);
            assertThat(timeouts).hasValue(1);
            assertThat(context.rewound).containsEntry(partition, 0L);
            assertThat(count(s, keyspace, "d_hole", 3))
                    .as("messages 2 and 3 are written, 1 is not")
                    .isEqualTo(2);
            assertThat(lastSeq(s, keyspace, "d_hole"))
                    .as("last_seq does not point past the missing row")
                    .isZero();

            now[0] += Duration.ofMillis(500).toNanos();
            task.put(List.of());
            task.put(batch); // the redelivery
            assertThat(count(s, keyspace, "d_hole", 3)).isEqualTo(3);
            assertThat(lastSeq(s, keyspace, "d_hole")).isEqualTo(3);
            task.stop();
        }
    }

    private SinkRecord sinkRecord(ConversationEvent event, long offset) {
        byte[] value = serdes.event().serialize("events", event);
        return new SinkRecord("events", 0, null, event.getConversationId(), null, value, offset);
    }

    private static boolean isRowOfMessage(Statement<?> statement, long seq) {
        return statement instanceof BoundStatement b
                && b.getPreparedStatement().getQuery().contains(".messages (")
                && b.getLong("seq") == seq;
    }

    /**
     * {@code session}, except that the first statement {@code failing} picks times out without
     * reaching the node; {@code failures} counts the timeouts.
     */
    private static CqlSession failingFirst(
            CqlSession session, Predicate<Statement<?>> failing, AtomicInteger failures) {
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.getName().equals("executeAsync")
                    && args.length == 1
                    && args[0] instanceof Statement<?> statement
                    && failing.test(statement)
                    && failures.compareAndSet(0, 1)) {
                return CompletableFuture.failedFuture(
                        new WriteTimeoutException(null, DefaultConsistencyLevel.ONE, 0, 1, WriteType.SIMPLE));
            }
            try {
                return method.invoke(session, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (CqlSession)
                Proxy.newProxyInstance(CqlSession.class.getClassLoader(), new Class<?>[] {CqlSession.class}, handler);
    }

    @Test
    void shouldCatchUpWithNothingLostAfterACassandraOutage() throws Exception {
        String topic = KafkaClusterExtension.unique("events");
        String keyspace = CassandraNodeExtension.newMigratedKeyspace();
        String dlq = topic + "-dlq";
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", KafkaClusterExtension.bootstrapServers()));
                KafkaProducer<String, byte[]> producer = producer()) {
            admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get();
            Connect<StandaloneHerder> connect = startWorker(Files.createTempDirectory("connect"));
            try {
                Map<String, String> cfg = sinkConfig(topic, keyspace, dlq);
                cfg.put(CassandraSinkConfig.REQUEST_TIMEOUT_MS, "2000");
                cfg.put(CassandraSinkConfig.RETRY_BACKOFF_MS, "500");
                // the outage outlasts the default budget at this short backoff: it tests the catch-up
                cfg.put(CassandraSinkConfig.MAX_RETRIES, "1000");
                SinkWorkers.register(connect, cfg);

                producer.send(new ProducerRecord<>(topic, "d_y", serdes.event().serialize(topic, created("d_y"))));
                producer.send(new ProducerRecord<>(topic, "d_y", "garbage".getBytes()));
                for (long seq = 1; seq <= 500; seq++) {
                    producer.send(
                            new ProducerRecord<>(topic, "d_y", serdes.event().serialize(topic, message("d_y", seq))));
                }
                producer.flush();
                try (CqlSession s = CassandraNodeExtension.session()) {
                    await(() -> lastSeq(s, keyspace, "d_y"), 500);
                }

                // what the worker and the sink log through the outage: before, the worker's ERROR
                // line with a stack trace for each RetriableException, one a backoff
                ErrorLog logged = ErrorLog.attach();
                CassandraNodeExtension.crash(); // Cassandra crashes while messages keep coming
                try {
                    for (long seq = 501; seq <= 1000; seq++) {
                        producer.send(new ProducerRecord<>(
                                topic, "d_y", serdes.event().serialize(topic, message("d_y", seq))));
                    }
                    producer.flush();
                    Thread.sleep(Duration.ofSeconds(60).toMillis()); // the outage of issue #5: the sink retries
                } finally {
                    CassandraNodeExtension.recover(); // the same data folder: the commit log is replayed
                }
                long back = System.nanoTime();
                try (CqlSession s = CassandraNodeExtension.session()) {
                    // through the catch-up, last_seq never points past a row not there yet: it is
                    // read first, the rows after
                    await(
                            () -> {
                                long last = lastSeq(s, keyspace, "d_y");
                                long n = rows(s, keyspace, "d_y", 1000);
                                if (last >= 0 && n >= 0) {
                                    assertThat(n)
                                            .as("rows up to last_seq %d", last)
                                            .isGreaterThanOrEqualTo(last);
                                }
                                return n;
                            },
                            1000);
                    System.out.printf(
                            "Cassandra outage: all 1000 rows %d ms after the node was back%n",
                            (System.nanoTime() - back) / 1_000_000);
                    logged.detach();
                    logged.assertNoErrors("the Connect worker and the sink", "org.apache.kafka", "dev.parley");
                    assertThat(logged.messages(Level.WARN, "dev.parley.connect"))
                            .as("the sink's WARN line per failed batch")
                            .anySatisfy(
                                    m -> assertThat(m).matches("Cassandra write failed \\(\\d+ of 1000 retries\\).*"));
                    assertThat(lastSeq(s, keyspace, "d_y")).isEqualTo(1000);
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
        }
    }

    /** Member ids as long as the edge's id limit (128 characters), distinct per conversation. */
    private static List<String> members(String prefix, int from, int to) {
        List<String> ids = new ArrayList<>();
        for (int i = from; i < to; i++) {
            String id = prefix + "-" + i + "-";
            ids.add(id + "u".repeat(128 - id.length()));
        }
        return ids;
    }

    private static ConversationEvent event(String conv, long seq, String actor, Object payload) {
        return new ConversationEvent(
                seq + conv.hashCode() * 10_000L, conv, seq, T0.plusMillis(seq), actor, 0L, payload);
    }

    @Test
    void shouldWriteTheLargestEventOfEveryTypeAndKeepWritingAfterThem() throws Exception {
        String topic = KafkaClusterExtension.unique("largest");
        String keyspace = CassandraNodeExtension.newMigratedKeyspace();
        String dlq = topic + "-dlq";
        List<String> max = members("max", 0, 1024);
        List<String> grow = members("grow", 0, 600);
        String body64k = "\uD83D\uDE00".repeat(16_384); // 65,536 UTF-8 bytes: the cap is in bytes
        String body60k = "x".repeat(60_000); // the body of issue #13 that wedged the sink
        List<String> media = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            media.add("media-" + i + "-" + "m".repeat(48));
        }
        String name = "\uD83D\uDE00".repeat(128); // 256 characters, the name limit
        String emoji = "\uD83D\uDC4D".repeat(16); // 32 characters, the emoji limit
        List<ConversationEvent> events = List.of(
                event(
                        "g_max",
                        0,
                        max.get(0),
                        new ConversationCreated(ConversationType.GROUP, name, max, max, null, null)),
                event(
                        "g_max",
                        1,
                        max.get(1),
                        new MessagePosted(1L, "c".repeat(128), body64k, media, null, name, null, List.of(), List.of())),
                event(
                        "g_max",
                        2,
                        max.get(2),
                        new MessagePosted(2L, "c2", body60k, List.of(), 1L, null, null, List.of(), List.of())),
                event("g_max", 2, max.get(0), new ConversationUpdated(name.substring(2) + "!!", max)),
                event("g_max", 2, max.get(5), new ReceiptAdvanced(max.get(5), 2L, 2L)),
                event("g_max", 2, max.get(7), new ReactionChanged(1L, max.get(7), emoji, ReactionOp.ADD, null)),
                // a group of 300, then 300 more: the other shape of issue #13
                event(
                        "g_grow",
                        0,
                        grow.get(0),
                        new ConversationCreated(
                                ConversationType.GROUP,
                                "grow",
                                grow.subList(0, 300),
                                List.of(grow.get(0)),
                                null,
                                null)),
                event(
                        "g_grow",
                        0,
                        grow.get(0),
                        new MembersChanged(grow.subList(300, 600), List.of(), 600, List.of(grow.get(0)))),
                event(
                        "g_grow",
                        0,
                        grow.get(0),
                        new MembersChanged(List.of(), grow.subList(500, 600), 500, List.of(grow.get(0)))),
                created("d_after"),
                message("d_after", 1));
        try (KafkaProducer<String, byte[]> producer = producer();
                CqlSession s = CassandraNodeExtension.session()) {
            Connect<StandaloneHerder> connect = startSink(topic, keyspace, dlq);
            try {
                for (ConversationEvent e : events) {
                    producer.send(new ProducerRecord<>(
                            topic, e.getConversationId(), serdes.event().serialize(topic, e)));
                }
                producer.flush();
                await(() -> lastSeq(s, keyspace, "d_after"), 1); // written after every large event

                var m1 = s.execute("SELECT body, media, client_msg_id FROM " + keyspace + ".messages"
                                + " WHERE conversation_id = 'g_max' AND bucket = 0 AND seq = 1")
                        .one();
                assertThat(m1.getString("body")).isEqualTo(body64k);
                assertThat(m1.getList("media", String.class)).isEqualTo(media);
                assertThat(s.execute("SELECT body FROM " + keyspace + ".messages"
                                        + " WHERE conversation_id = 'g_max' AND bucket = 0 AND seq = 2")
                                .one()
                                .getString(0))
                        .isEqualTo(body60k);
                var conv = s.execute("SELECT type, name, admins, last_seq FROM " + keyspace
                                + ".conversations WHERE conversation_id = 'g_max'")
                        .one();
                assertThat(conv.getString("type")).isEqualTo("group");
                assertThat(conv.getString("name")).isEqualTo(name.substring(2) + "!!");
                assertThat(conv.getSet("admins", String.class)).hasSize(1024);
                assertThat(conv.getLong("last_seq")).isEqualTo(2);
                assertThat(memberCount(s, keyspace, "g_max")).isEqualTo(1024);
                assertThat(conversationsOf(s, keyspace, max, "g_max"))
                        .as("every member sees the group in their list")
                        .isEqualTo(1024);
                assertThat(s.execute(
                                        "SELECT read FROM " + keyspace + ".receipts WHERE conversation_id = 'g_max'"
                                                + " AND user_id = ?",
                                        max.get(5))
                                .one()
                                .getLong(0))
                        .isEqualTo(2);
                assertThat(s.execute("SELECT emoji FROM " + keyspace + ".reactions WHERE conversation_id = 'g_max'"
                                        + " AND bucket = 0 AND seq = 1")
                                .one()
                                .getString(0))
                        .isEqualTo(emoji);
                assertThat(memberCount(s, keyspace, "g_grow")).isEqualTo(500);
                assertThat(conversationsOf(s, keyspace, grow.subList(0, 500), "g_grow"))
                        .isEqualTo(500);
                assertThat(conversationsOf(s, keyspace, grow.subList(500, 600), "g_grow"))
                        .as("removed members no longer list the group")
                        .isZero();
                assertThat(ConsumedRecords.count(KafkaClusterExtension.bootstrapServers(), dlq, 0))
                        .as("nothing was refused")
                        .isZero();
            } finally {
                connect.stop();
                connect.awaitStop();
            }
        }
    }

    @Test
    void shouldDeadLetterARefusedWriteWithTheReasonAndWriteTheNextConversation() throws Exception {
        String topic = KafkaClusterExtension.unique("refused");
        String keyspace = CassandraNodeExtension.newMigratedKeyspace();
        String dlq = topic + "-dlq";
        // a user id over Cassandra's 64 KiB key limit: no retry can make the server take it
        String hugeId = "h".repeat(70_000);
        ConversationEvent refused = event(
                "g_bad",
                0,
                "alice",
                new ConversationCreated(ConversationType.GROUP, "bad", List.of(hugeId), List.of(), null, null));
        try (KafkaProducer<String, byte[]> producer = producer();
                CqlSession s = CassandraNodeExtension.session()) {
            Connect<StandaloneHerder> connect = startSink(topic, keyspace, dlq);
            try {
                producer.send(
                        new ProducerRecord<>(topic, "g_bad", serdes.event().serialize(topic, refused)));
                producer.flush();
                var dead = ConsumedRecords.read(KafkaClusterExtension.bootstrapServers(), dlq, 1);
                assertThat(dead).hasSize(1);
                assertThat(dead.get(0).key()).isEqualTo("g_bad".getBytes(StandardCharsets.UTF_8));
                assertThat(header(dead.get(0), "__connect.errors.exception.message"))
                        .as("the dead-letter record carries the server's reason")
                        .contains("Key length of 70000 is longer than maximum of 65535");
                assertThat(header(dead.get(0), "__connect.errors.exception.class.name"))
                        .endsWith("InvalidQueryException");

                // the partition moved on: a conversation created afterwards gets all its rows
                producer.send(
                        new ProducerRecord<>(topic, "d_next", serdes.event().serialize(topic, created("d_next"))));
                producer.send(
                        new ProducerRecord<>(topic, "d_next", serdes.event().serialize(topic, message("d_next", 1))));
                producer.flush();
                await(() -> lastSeq(s, keyspace, "d_next"), 1);
                assertThat(memberCount(s, keyspace, "d_next")).isEqualTo(2);
                assertThat(conversationsOf(s, keyspace, List.of("alice", "bob"), "d_next"))
                        .isEqualTo(2);
                assertThat(count(s, keyspace, "d_next", 1)).isEqualTo(1);
            } finally {
                connect.stop();
                connect.awaitStop();
            }
        }
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String key) {
        var h = record.headers().lastHeader(key);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static long memberCount(CqlSession s, String keyspace, String conv) {
        return s.execute("SELECT COUNT(*) FROM " + keyspace + ".conversation_members WHERE conversation_id = ?", conv)
                .one()
                .getLong(0);
    }

    /** How many of {@code users} have {@code conv} in their conversation list. */
    private static int conversationsOf(CqlSession s, String keyspace, List<String> users, String conv) {
        var select = s.prepare("SELECT joined_at FROM " + keyspace
                + ".conversations_by_user WHERE user_id = ? AND conversation_id = ?");
        int n = 0;
        for (String user : users) {
            var row = s.execute(select.bind(user, conv)).one();
            n += row != null && !row.isNull(0) ? 1 : 0;
        }
        return n;
    }

    /** {@link #count}, or -1 while the node does not answer yet. */
    private static long rows(CqlSession s, String keyspace, String conv, long lastSeq) {
        try {
            return count(s, keyspace, conv, lastSeq);
        } catch (RuntimeException e) {
            return -1;
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

    /** A Connect worker running the sink on a new one-partition topic, against the shared node. */
    private static Connect<StandaloneHerder> startSink(String topic, String keyspace, String dlq) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", KafkaClusterExtension.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        Connect<StandaloneHerder> connect = startWorker(Files.createTempDirectory("connect"));
        SinkWorkers.register(connect, sinkConfig(topic, keyspace, dlq));
        return connect;
    }

    private static Map<String, String> sinkConfig(String topic, String keyspace, String dlq) {
        Map<String, String> cfg = new HashMap<>();
        cfg.put("name", "cassandra-sink-" + topic);
        cfg.put("connector.class", CassandraSinkConnector.class.getName());
        cfg.put("tasks.max", "1");
        cfg.put("topics", topic);
        cfg.put(CassandraSinkConfig.CONTACT_POINTS, "127.0.0.1:" + CassandraNodeExtension.port());
        cfg.put(CassandraSinkConfig.KEYSPACE, keyspace);
        cfg.put("errors.tolerance", "all");
        cfg.put("errors.deadletterqueue.topic.name", dlq);
        cfg.put("errors.deadletterqueue.topic.replication.factor", "1");
        cfg.put("errors.deadletterqueue.context.headers.enable", "true");
        return cfg;
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
