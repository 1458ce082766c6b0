package dev.parley.edge;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import dev.parley.edge.media.MediaStore;
import dev.parley.schema.TopicProvisioner;
import dev.parley.testkit.CassandraNodeExtension;
import dev.parley.testkit.KafkaClusterExtension;
import dev.parley.testkit.RedisServerExtension;
import dev.parley.testkit.S3ProxyExtension;
import dev.parley.topology.TopologyMain;
import dev.parley.topology.TopologySettings;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.admin.Admin;

/**
 * What an edge IT runs against, from production code: the topic catalogue on the real Kafka, the
 * real ConversationTopology, a fresh Redis key prefix and Cassandra keyspace, and edges started by
 * {@link EdgeMain}. Needs the Kafka, Redis and Cassandra extensions; start one per test class.
 */
final class EdgeFixture implements AutoCloseable {

    final String bootstrap = KafkaClusterExtension.bootstrapServers();
    final String redisUrl;
    final String redisPrefix = RedisServerExtension.newKeyPrefix();
    final String applicationId = KafkaClusterExtension.unique("parley-edge-it");
    final String keyspace = CassandraNodeExtension.newMigratedKeyspace();
    private final Deque<AutoCloseable> parts = new ArrayDeque<>();

    private EdgeFixture(String redisUrl) {
        this.redisUrl = redisUrl;
    }

    static EdgeFixture start() throws Exception {
        return start(RedisServerExtension.url(), Map.of());
    }

    /** As {@link #start()}, the topology given {@code topologySettings} too (e.g. a lower retention floor). */
    static EdgeFixture start(Map<String, Object> topologySettings) throws Exception {
        return start(RedisServerExtension.url(), topologySettings);
    }

    /** As {@link #start()}, on another Redis (a Redis Cluster's {@code redis-cluster://} seeds). */
    static EdgeFixture start(String redisUrl) throws Exception {
        return start(redisUrl, Map.of());
    }

    private static EdgeFixture start(String redisUrl, Map<String, Object> topologySettings) throws Exception {
        EdgeFixture fixture = withoutTopology(redisUrl);
        fixture.parts.push(fixture.startTopology(topologySettings));
        return fixture;
    }

    /**
     * A ConversationTopology (and SignalTopology) of this fixture's application, given {@code extra}
     * settings, with its own fresh state directory; the caller closes it. Returns once SignalTopology
     * runs.
     */
    TopologyMain.RunningTopology startTopology(Map<String, Object> extra) throws Exception {
        Map<String, Object> t = new HashMap<>(extra);
        t.put(TopologySettings.BOOTSTRAP_SERVERS, bootstrap);
        t.put(TopologySettings.APPLICATION_ID, applicationId);
        t.put(
                TopologySettings.STATE_DIR,
                Files.createTempDirectory("edge-it-state").toString());
        t.put(TopologySettings.REDIS_URL, redisUrl);
        t.put(TopologySettings.REDIS_KEY_PREFIX, redisPrefix);
        t.put(TopologySettings.METRICS_PORT, 0);
        TopologyMain.RunningTopology topology = TopologyMain.start(new TopologySettings(t));
        // SignalTopology starts once ConversationTopology first ran and reads typing from the end
        // of the commands topic: a typing frame sent before it runs is not relayed
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
        while (topology.signals().state() != org.apache.kafka.streams.KafkaStreams.State.RUNNING) {
            if (System.nanoTime() > deadline) {
                topology.close();
                throw new IllegalStateException(
                        "SignalTopology never ran: " + topology.signals().state());
            }
            Thread.sleep(50);
        }
        return topology;
    }

    /** The catalogue, Redis and Cassandra but no topology: commands are produced and never answered. */
    static EdgeFixture withoutTopology() {
        return withoutTopology(RedisServerExtension.url());
    }

    private static EdgeFixture withoutTopology(String redisUrl) {
        EdgeFixture fixture = new EdgeFixture(redisUrl);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", fixture.bootstrap))) {
            new TopicProvisioner(admin, (short) 1, 3, null).provisionCatalogue();
        }
        return fixture;
    }

    /** Settings of an edge of this fixture on a free port; callers add what their test needs. */
    Map<String, Object> settings(String edgeId) {
        Map<String, Object> s = new HashMap<>();
        s.put(EdgeSettings.EDGE_ID, edgeId);
        s.put(EdgeSettings.REGISTRATIONS_PER_ADDRESS, 10_000); // every test user registers from 127.0.0.1
        s.put(EdgeSettings.HTTP_HOST, "127.0.0.1");
        s.put(EdgeSettings.HTTP_PORT, 0);
        s.put(EdgeSettings.BOOTSTRAP_SERVERS, bootstrap);
        s.put(EdgeSettings.REDIS_URL, redisUrl);
        s.put(EdgeSettings.REDIS_KEY_PREFIX, redisPrefix);
        s.put(
                EdgeSettings.CASSANDRA_CONTACT_POINT,
                CassandraNodeExtension.host() + ":" + CassandraNodeExtension.port());
        s.put(EdgeSettings.CASSANDRA_KEYSPACE, keyspace);
        s.put(EdgeSettings.JWT_SECRET, "it-secret-it-secret-it-secret-it-secret");
        s.put(EdgeSettings.TOPOLOGY_APPLICATION_ID, applicationId);
        return s;
    }

    /**
     * {@code settings} pointed at the S3Proxy of {@code S3ProxyExtension}, in a fresh bucket made as
     * the migrate step makes it.
     */
    Map<String, Object> withMediaStore(Map<String, Object> settings) {
        settings.put(EdgeSettings.MEDIA_S3_ENDPOINT, S3ProxyExtension.endpoint());
        settings.put(EdgeSettings.MEDIA_S3_ACCESS_KEY, S3ProxyExtension.ACCESS_KEY);
        settings.put(EdgeSettings.MEDIA_S3_SECRET_KEY, S3ProxyExtension.SECRET_KEY);
        settings.put(EdgeSettings.MEDIA_S3_BUCKET, S3ProxyExtension.newBucket());
        try (MediaStore store = MediaStore.open(new EdgeSettings(settings))) {
            store.ensureBucket();
        }
        return settings;
    }

    /** The reference row the Cassandra sink writes when a message with {@code mediaId} is posted (V006). */
    void referenceMedia(String mediaId, String conversation, long seq) {
        referenceMedia(keyspace, mediaId, conversation, seq);
    }

    /** As above, in another keyspace (an edge given one of its own). */
    void referenceMedia(String inKeyspace, String mediaId, String conversation, long seq) {
        try (CqlSession cql = cql()) {
            cql.execute(
                    "INSERT INTO " + inKeyspace + ".media_uses (media_id, conversation_id, seq) VALUES (?, ?, ?)",
                    mediaId,
                    conversation,
                    seq);
        }
    }

    /** A started edge, closed with the fixture. */
    EdgeMain.RunningEdge edge(Map<String, Object> settings) throws Exception {
        EdgeMain.RunningEdge edge = EdgeMain.start(new EdgeSettings(settings));
        parts.push(edge);
        return edge;
    }

    /** Stores every event in Cassandra as the Cassandra sink does, until the fixture closes. */
    void sinkEvents() {
        sinkEvents(keyspace);
    }

    /** As above, into another keyspace (an edge given one of its own). */
    void sinkEvents(String inKeyspace) {
        parts.push(new EventsToCassandra(bootstrap, cql(), inKeyspace));
    }

    /**
     * Indexes every event into the alias {@code index} on the OpenSearch node at {@code url} with the
     * search sink's task, until the fixture closes.
     */
    void indexEvents(String url, String index) {
        parts.push(new EventsToSearch(bootstrap, url, index));
    }

    /** The membership rows the Cassandra sink writes when {@code members} join {@code conversation}. */
    void seedMembers(String conversation, String... members) {
        try (CqlSession cql = cql()) {
            for (String member : members) {
                cql.execute(
                        "INSERT INTO conversation_members (conversation_id, user_id) VALUES (?, ?)",
                        conversation,
                        member);
                cql.execute(
                        "INSERT INTO conversations_by_user (user_id, conversation_id) VALUES (?, ?)",
                        member,
                        conversation);
            }
        }
    }

    /** What the Cassandra sink deletes when {@code member} leaves or is removed from {@code conversation}. */
    void removeMember(String conversation, String member) {
        try (CqlSession cql = cql()) {
            cql.execute(
                    "DELETE FROM conversation_members WHERE conversation_id = ? AND user_id = ?", conversation, member);
            cql.execute(
                    "DELETE FROM conversations_by_user WHERE user_id = ? AND conversation_id = ?",
                    member,
                    conversation);
        }
    }

    CqlSession cql() {
        return CqlSession.builder()
                .addContactPoint(new InetSocketAddress(CassandraNodeExtension.host(), CassandraNodeExtension.port()))
                .withLocalDatacenter(CassandraNodeExtension.localDatacenter())
                .withKeyspace(keyspace)
                .build();
    }

    /** Rows as the Cassandra sink writes them (that module is tested on its own). */
    void seedHistory(String conversation, String member, int messages, long read) {
        seedHistory(conversation, member, messages, read, messages);
    }

    /** As above, with a last seq beyond the rows written: the buckets between hold no rows yet. */
    void seedHistory(String conversation, String member, int messages, long read, long lastSeq) {
        try (CqlSession cql = cql()) {
            seedHistory(cql, conversation, member, messages, read, lastSeq);
        }
    }

    /** {@code count} group conversations of {@code member} with one message each, over one session. */
    void seedConversations(String member, int count) {
        try (CqlSession cql = cql()) {
            for (int i = 0; i < count; i++) {
                seedHistory(
                        cql,
                        "g_seeded_" + java.util.UUID.randomUUID().toString().replace("-", ""),
                        member,
                        1,
                        0,
                        1);
            }
        }
    }

    private static void seedHistory(
            CqlSession cql, String conversation, String member, int messages, long read, long lastSeq) {
        cql.execute("INSERT INTO conversation_members (conversation_id, user_id) VALUES (?, ?)", conversation, member);
        cql.execute(
                "INSERT INTO conversations_by_user (user_id, conversation_id, read, delivered) VALUES (?, ?, ?, ?)",
                member,
                conversation,
                read,
                read);
        cql.execute(
                "INSERT INTO conversations (conversation_id, type, last_seq, last_activity) VALUES (?, 'group', ?, ?)",
                conversation,
                lastSeq,
                Instant.now());
        PreparedStatement insert =
                cql.prepare("INSERT INTO messages (conversation_id, bucket, seq, message_id, sender, body, media,"
                        + " created_at) VALUES (?, ?, ?, ?, 'someone', ?, [], ?)");
        List<CompletableFuture<?>> inFlight = new ArrayList<>();
        for (long seq = 1; seq <= messages; seq++) {
            inFlight.add(cql.executeAsync(insert.bind(
                            conversation,
                            seq / 1000,
                            seq,
                            7_000_000L + seq,
                            "m" + seq,
                            Instant.ofEpochMilli(1_700_000_000_000L + seq)))
                    .toCompletableFuture());
            if (inFlight.size() == 64) {
                CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new))
                        .join();
                inFlight.clear();
            }
        }
        CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).join();
    }

    @Override
    public void close() {
        while (!parts.isEmpty()) {
            try {
                parts.pop().close();
            } catch (Exception e) {
                throw new IllegalStateException("closing the fixture", e);
            }
        }
    }
}
