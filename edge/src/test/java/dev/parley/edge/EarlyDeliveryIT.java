package dev.parley.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.testkit.CassandraNodeExtension;
import dev.parley.testkit.ErrorLog;
import dev.parley.testkit.KafkaClusterExtension;
import dev.parley.testkit.RedisServerExtension;
import dev.parley.topology.TopologyMain;
import dev.parley.topology.TopologySettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TransactionListing;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Early delivery (issue #20) against a real broker and topology, through the fault the issue names:
 * a transaction aborted mid-stream (its producer fenced, the instance gone) and replayed by an
 * instance with a lower {@code max.body.bytes}, so the replay differs from what was shown early.
 *
 * <p>The property: a socket that asked for early frames ends with exactly the committed messages a
 * plain socket gets, every early frame is settled (confirmed, replaced or retracted), and no socket
 * ever gets two different committed messages at one (conversation, seq).
 */
@ExtendWith({KafkaClusterExtension.class, RedisServerExtension.class, CassandraNodeExtension.class})
class EarlyDeliveryIT {

    private static EdgeFixture fixture;
    private static EdgeMain.RunningEdge edge;
    private static ErrorLog log;

    @BeforeAll
    static void start() throws Exception {
        log = ErrorLog.attach();
        fixture = EdgeFixture.withoutTopology();
        Map<String, Object> s =
                fixture.settings("it-early-" + UUID.randomUUID().toString().substring(0, 6));
        // the first topology commits every 8 s: HTTP commands may wait that long for their answer
        s.put(EdgeSettings.SEND_TIMEOUT_MS, 30_000);
        edge = fixture.edge(s);
    }

    @AfterAll
    static void stop() {
        if (fixture != null) {
            fixture.close();
        }
        // the fenced instance's Streams thread logs its failed commit at ERROR (the fault itself);
        // the edge, which met an aborted transaction and its replay, logs nothing at ERROR
        log.assertNoEdgeErrors();
        log.detach();
    }

    @Test
    void shouldSettleEveryEarlyFrameWhenAnAbortedTransactionIsReplayedDifferently() throws Exception {
        // a transaction stays open 8 s (under the producer's 10 s transaction timeout; no commit
        // asked for when idle), and records are written at once, so the early reader sees them long
        // before the commit
        TopologyMain.RunningTopology first = fixture.startTopology(Map.of(
                TopologySettings.COMMIT_INTERVAL_MS,
                8_000L,
                TopologySettings.COMMIT_AFTER_IDLE_MS,
                0L,
                TopologySettings.PRODUCER_LINGER_MS,
                0,
                TopologySettings.MAX_BODY_BYTES,
                10_000));
        TopologyMain.RunningTopology second = null;
        try (TestClient alice =
                        TestClient.register(edge.port(), "alice" + tag()).connect(edge.port());
                TestClient bob = TestClient.register(edge.port(), "bob" + tag()).connectEarly(edge.port());
                TestClient carol =
                        TestClient.register(edge.port(), "carol" + tag()).connect(edge.port())) {
            String conv = group(alice, "early", bob, carol);
            ClientView bobView = new ClientView();
            ClientView carolView = new ClientView();

            // P, early for bob and confirmed at the commit; carol's copy marks that commit
            alice.send(send(conv, "p", "probe"));
            JsonNode early = bob.await(f -> isMessage(f, conv));
            assertThat(early.path("tentative").asBoolean()).as(early.toString()).isTrue();
            bobView.apply(early);
            carolView.apply(carol.await(f -> isMessage(f, conv)));
            alice.awaitType("sent", "p");
            bobView.apply(bob.await(f -> conv.equals(f.path("conversation_id").asText())));
            assertThat(bobView.committed()).containsOnlyKeys(1L);

            // the next commit is about 8 s away: A (over the coming lower cap) and B go out early
            String longBody = "x".repeat(500);
            alice.send(send(conv, "a", longBody));
            alice.send(send(conv, "b", "short"));
            JsonNode earlyA = bob.await(f -> isMessage(f, conv));
            JsonNode earlyB = bob.await(f -> isMessage(f, conv));
            bobView.apply(earlyA);
            bobView.apply(earlyB);
            assertThat(earlyA.path("seq").asLong()).isEqualTo(2);
            assertThat(earlyA.path("body").asText()).isEqualTo(longBody);
            assertThat(earlyB.path("seq").asLong()).isEqualTo(3);
            assertThat(bobView.tentative()).containsOnlyKeys(2L, 3L);

            // the fault: the open transaction is aborted (its producer fenced), the instance goes,
            // and the replay runs with a cap A is over
            fenceConversationTopology();
            first.close();
            first = null;
            second = fixture.startTopology(Map.of(TopologySettings.MAX_BODY_BYTES, 100));

            JsonNode refused = alice.awaitType("error", "a");
            assertThat(refused.path("code").asText()).isEqualTo("too_large");
            JsonNode sentB = alice.awaitType("sent", "b");
            assertThat(sentB.path("seq").asLong())
                    .as("B took A's seq in the replay")
                    .isEqualTo(2);

            // carol (no early frames) gets exactly the committed messages
            carolView.apply(carol.await(f -> isMessage(f, conv)));
            assertThat(carolView.committedBodies()).containsExactly(Map.entry(1L, "probe"), Map.entry(2L, "short"));

            // bob's early view settles to the same, with nothing left tentative
            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(20).toNanos();
            while (!bobView.tentative().isEmpty() || bobView.committed().size() < 2) {
                assertThat(System.nanoTime()).as("bob settled: " + bobView).isLessThan(deadline);
                JsonNode f = bob.await(
                        frame -> conv.equals(frame.path("conversation_id").asText()));
                bobView.apply(f);
            }
            assertThat(bobView.committedBodies()).isEqualTo(carolView.committedBodies());
            assertThat(bobView.violations).isEmpty();
            assertThat(carolView.violations).isEmpty();
            assertThat(bobView.settledBy).as("how bob's early A and B ended").isNotEmpty();
        } finally {
            if (first != null) {
                first.close();
            }
            if (second != null) {
                second.close();
            }
        }
    }

    @Test
    void shouldShowAndConfirmAMessageAtTheBodyCapEarly() throws Exception {
        // the largest message a send may carry (the edge's and the topology's default cap, 64 KiB),
        // through the early reader, the ledger's digest and the confirmation
        String body = "y".repeat((Integer) EdgeSettings.CONFIG.defaultValues().get(EdgeSettings.MAX_BODY_BYTES));
        try (TopologyMain.RunningTopology topology = fixture.startTopology(Map.of(
                        TopologySettings.COMMIT_INTERVAL_MS, 8_000L,
                        TopologySettings.COMMIT_AFTER_IDLE_MS, 0L,
                        TopologySettings.PRODUCER_LINGER_MS, 0));
                TestClient alice =
                        TestClient.register(edge.port(), "alice" + tag()).connect(edge.port());
                TestClient bob = TestClient.register(edge.port(), "bob" + tag()).connectEarly(edge.port());
                TestClient carol =
                        TestClient.register(edge.port(), "carol" + tag()).connect(edge.port())) {
            String conv = group(alice, "cap", bob, carol);

            alice.send(send(conv, "big", body));
            JsonNode early = bob.await(f -> isMessage(f, conv));
            assertThat(early.path("tentative").asBoolean()).isTrue();
            assertThat(early.path("body").asText()).isEqualTo(body);
            JsonNode settled =
                    bob.await(f -> conv.equals(f.path("conversation_id").asText()));
            assertThat(settled.path("type").asText()).as(settled.toString()).isEqualTo("confirmed");
            assertThat(settled.path("message_id").asText())
                    .isEqualTo(early.path("message_id").asText());
            JsonNode committed = carol.await(f -> isMessage(f, conv));
            assertThat(committed.path("body").asText()).isEqualTo(body);
            assertThat(committed.has("tentative")).isFalse();
            assertThat(alice.awaitType("sent", "big").path("seq").asLong()).isEqualTo(1);
        }
    }

    /** A group of {@code owner} and {@code members} named {@code name}, created over HTTP; its id. */
    private static String group(TestClient owner, String name, TestClient... members) throws Exception {
        StringBuilder ids = new StringBuilder();
        for (TestClient m : members) {
            ids.append(ids.length() == 0 ? "" : ",")
                    .append('"')
                    .append(m.userId)
                    .append('"');
        }
        TestClient.Response created = owner.http(
                edge.port(),
                "POST",
                "/v1/conversations",
                "{\"type\":\"group\",\"name\":\"" + name + "\",\"members\":[" + ids + "]}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.body().get("conversation_id").asText();
    }

    /** Fences ConversationTopology's transactional producers (KIP-618): their open transactions abort. */
    private static void fenceConversationTopology() throws Exception {
        // Streams' exactly_once_v2 ids are <application.id>-<process uuid>-<thread>; the other
        // applications' ids carry a suffix after the application id
        Pattern ours = Pattern.compile(Pattern.quote(fixture.applicationId) + "-[0-9a-f-]{36}-\\d+");
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", fixture.bootstrap))) {
            List<String> ids = new ArrayList<>();
            for (TransactionListing t : admin.listTransactions().all().get()) {
                if (ours.matcher(t.transactionalId()).matches()) {
                    ids.add(t.transactionalId());
                }
            }
            assertThat(ids).as("ConversationTopology's transactional ids").isNotEmpty();
            admin.fenceProducers(ids).all().get();
        }
    }

    /**
     * What a client following the protocol shows: per seq, a tentative or a committed message.
     * Violations are frames a correct edge never sends: a second, different committed message at a
     * seq, or a confirmation of something not shown.
     */
    static final class ClientView {
        private final TreeMap<Long, JsonNode> tentative = new TreeMap<>();
        private final TreeMap<Long, JsonNode> committed = new TreeMap<>();
        final List<String> violations = new ArrayList<>();
        final List<String> settledBy = new ArrayList<>();

        void apply(JsonNode f) {
            long seq = f.path("seq").asLong();
            switch (f.path("type").asText()) {
                case "message" -> {
                    if (f.path("tentative").asBoolean()) {
                        if (committed.containsKey(seq)) {
                            violations.add("early frame after the committed one at " + seq);
                        } else {
                            tentative.put(seq, f);
                        }
                        return;
                    }
                    JsonNode before = committed.get(seq);
                    if (before != null && !before.path("message_id").equals(f.path("message_id"))) {
                        violations.add("two committed messages at " + seq + ": " + before + " and " + f);
                    }
                    if (tentative.remove(seq) != null) {
                        settledBy.add("replaced " + seq);
                    }
                    committed.put(seq, f);
                }
                case "confirmed" -> {
                    JsonNode shown = tentative.remove(seq);
                    if (shown == null || !shown.path("message_id").equals(f.path("message_id"))) {
                        violations.add("confirmed what was not shown: " + f);
                    } else {
                        settledBy.add("confirmed " + seq);
                        committed.put(seq, shown);
                    }
                }
                case "retracted" -> {
                    JsonNode shown = tentative.get(seq);
                    if (shown != null && shown.path("message_id").equals(f.path("message_id"))) {
                        tentative.remove(seq);
                        settledBy.add("retracted " + seq);
                    } else {
                        violations.add("retracted what was not shown: " + f);
                    }
                }
                default -> {
                    // receipts, members: not about message order
                }
            }
        }

        Map<Long, JsonNode> tentative() {
            return tentative;
        }

        Map<Long, JsonNode> committed() {
            return committed;
        }

        Map<Long, String> committedBodies() {
            TreeMap<Long, String> out = new TreeMap<>();
            committed.forEach((seq, f) -> out.put(seq, f.path("body").asText()));
            return out;
        }

        @Override
        public String toString() {
            return "tentative " + tentative.keySet() + ", committed " + committed.keySet() + ", settled " + settledBy
                    + ", violations " + violations;
        }
    }

    private static boolean isMessage(JsonNode f, String conv) {
        return "message".equals(f.path("type").asText())
                && conv.equals(f.path("conversation_id").asText());
    }

    private static String send(String conversation, String id, String body) {
        return "{\"type\":\"send\",\"id\":\"" + id + "\",\"conversation_id\":\"" + conversation + "\",\"body\":\""
                + body + "\"}";
    }

    private static String tag() {
        return UUID.randomUUID().toString().substring(0, 8);
    }
}
