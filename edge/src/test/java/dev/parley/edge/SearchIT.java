package dev.parley.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.schema.SearchIndex;
import dev.parley.testkit.CassandraNodeExtension;
import dev.parley.testkit.ErrorLog;
import dev.parley.testkit.FreePorts;
import dev.parley.testkit.KafkaClusterExtension;
import dev.parley.testkit.OpenSearchNodeExtension;
import dev.parley.testkit.RedisServerExtension;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The search API on a real edge over a real OpenSearch node (plus the real Kafka, Redis, Cassandra
 * and topology every edge needs). Documents are written as the search sink writes them, from the
 * same index definition ({@link SearchIndex}); membership rows as the Cassandra sink writes them.
 */
@ExtendWith({
    KafkaClusterExtension.class,
    RedisServerExtension.class,
    CassandraNodeExtension.class,
    OpenSearchNodeExtension.class
})
class SearchIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final long T0 = 1_780_000_000_000L;

    private static EdgeFixture fixture;
    private static EdgeMain.RunningEdge edge;
    private static ErrorLog log;
    private static String index;

    private static TestClient alice;
    private static TestClient bob;
    private static TestClient mallory;
    private static String chat;
    private static String paging;

    @BeforeAll
    static void start() throws Exception {
        log = ErrorLog.attach();
        fixture = EdgeFixture.start();
        index = OpenSearchNodeExtension.newIndexName();
        Map<String, Object> s =
                fixture.settings("search-" + UUID.randomUUID().toString().substring(0, 6));
        s.put(EdgeSettings.SEARCH_URLS, OpenSearchNodeExtension.url());
        s.put(EdgeSettings.SEARCH_INDEX, index);
        s.put(EdgeSettings.RATE_SEARCH_BURST, 10_000);
        s.put(EdgeSettings.RATE_SEARCH_PER_SECOND, 1000.0);
        edge = fixture.edge(s);
        alice = TestClient.register(edge.port(), name("alice"));
        bob = TestClient.register(edge.port(), name("bob"));
        mallory = TestClient.register(edge.port(), name("mallory"));
        chat = "g_search_" + UUID.randomUUID().toString().replace("-", "");
        paging = "g_paging_" + UUID.randomUUID().toString().replace("-", "");
        fixture.seedMembers(chat, alice.userId, bob.userId);
        fixture.seedMembers(paging, alice.userId);

        os("PUT", "/" + SearchIndex.backingIndex(index), withAlias(SearchIndex.definition(1, 0)));
        StringBuilder bulk = new StringBuilder();
        doc(bulk, chat, 1, alice.userId, "Let's meet at the café tomorrow");
        doc(bulk, chat, 2, bob.userId, "Sorry, I was running late");
        doc(bulk, chat, 3, alice.userId, "東京都に行きます");
        doc(bulk, chat, 4, alice.userId, "the quick brown fox");
        doc(bulk, chat, 5, bob.userId, "quick test <script>alert(1)</script>");
        doc(bulk, chat, 6, alice.userId, "we run every day");
        // disappearing messages (DESIGN 7.3): one past its time, one not yet
        doc(bulk, chat, 7, alice.userId, "vanishing zebra", T0 + 7000, System.currentTimeMillis() - 1000);
        doc(bulk, chat, 8, alice.userId, "lasting zebra", T0 + 8000, System.currentTimeMillis() + 3_600_000);
        for (int seq = 1; seq <= 45; seq++) {
            // a few share a timestamp: the key tiebreak must still give one order
            doc(bulk, paging, seq, alice.userId, "page word " + "again ".repeat(seq % 4) + seq, T0 + (seq / 3));
        }
        os("POST", "/_bulk?refresh=true", bulk.toString());
    }

    @AfterAll
    static void stop() {
        if (fixture != null) {
            fixture.close();
        }
        if (log != null) {
            log.detach();
        }
    }

    private static String name(String base) {
        return base + UUID.randomUUID().toString().substring(0, 8);
    }

    private static String withAlias(String definition) throws Exception {
        ObjectNode body = (ObjectNode) TestClient.JSON.readTree(definition);
        body.putObject("aliases").putObject(index).put("is_write_index", true);
        return body.toString();
    }

    private static void doc(StringBuilder bulk, String conv, long seq, String sender, String body) {
        doc(bulk, conv, seq, sender, body, T0 + seq * 1000);
    }

    private static void doc(StringBuilder bulk, String conv, long seq, String sender, String body, long ts) {
        doc(bulk, conv, seq, sender, body, ts, null);
    }

    private static void doc(
            StringBuilder bulk, String conv, long seq, String sender, String body, long ts, Long expiresAt) {
        ObjectNode meta = TestClient.JSON.createObjectNode();
        meta.putObject("index")
                .put("_index", index)
                .put("_id", conv + ":" + seq)
                .put("routing", conv);
        ObjectNode d = TestClient.JSON
                .createObjectNode()
                .put("key", conv + ":" + seq)
                .put("conversation_id", conv)
                .put("seq", seq)
                .put("message_id", Long.toString(9000 + seq))
                .put("sender", sender)
                .put("ts", ts)
                .put("body", body);
        if (expiresAt != null) {
            d.put("expires_at", expiresAt);
        }
        bulk.append(meta).append('\n').append(d).append('\n');
    }

    private static void os(String method, String path, String body) throws Exception {
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(URI.create(OpenSearchNodeExtension.url() + path))
                        .header("Content-Type", path.contains("_bulk") ? "application/x-ndjson" : "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).doesNotContain("\"errors\":true");
    }

    private static TestClient.Response search(TestClient who, String path, String... params) throws Exception {
        StringBuilder query = new StringBuilder(path);
        for (int i = 0; i < params.length; i += 2) {
            query.append(i == 0 ? '?' : '&')
                    .append(params[i])
                    .append('=')
                    .append(URLEncoder.encode(params[i + 1], StandardCharsets.UTF_8));
        }
        return who.http(edge.port(), "GET", query.toString(), null);
    }

    private static List<Long> seqs(TestClient.Response r) {
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
        List<Long> out = new ArrayList<>();
        r.body().path("results").forEach(h -> out.add(h.path("seq").asLong()));
        return out;
    }

    private static List<Long> mine(String q, String... more) throws Exception {
        String[] params = new String[2 + more.length];
        params[0] = "q";
        params[1] = q;
        System.arraycopy(more, 0, params, 2, more.length);
        return seqs(search(alice, "/v1/conversations/" + chat + "/search", params));
    }

    @Test
    void shouldFindByFoldedWordsStemsCjkPhrasesAndPrefixesWithHighlights() throws Exception {
        TestClient.Response cafe = search(alice, "/v1/search", "q", "Cafe");
        assertThat(seqs(cafe)).containsExactly(1L);
        JsonNode hit = cafe.body().path("results").get(0);
        assertThat(hit.path("conversation_id").asText()).isEqualTo(chat);
        assertThat(hit.path("message_id").asText()).isEqualTo("9001");
        assertThat(hit.path("sender").asText()).isEqualTo(alice.userId);
        assertThat(hit.path("ts").asLong()).isEqualTo(T0 + 1000);
        assertThat(hit.path("body").asText()).isEqualTo("Let's meet at the café tomorrow");
        assertThat(hit.path("highlight").asText()).contains("<mark>café</mark>");
        assertThat(cafe.body().path("next").isNull()).isTrue();

        assertThat(mine("running")).containsExactlyInAnyOrder(2L, 6L);
        assertThat(mine("RUN")).containsExactlyInAnyOrder(2L, 6L);
        assertThat(mine("東京")).containsExactly(3L);
        assertThat(mine("京")).as("a single CJK character").containsExactly(3L);
        assertThat(mine("\"brown fox\"")).containsExactly(4L);
        assertThat(mine("\"fox brown\"")).isEmpty();
        assertThat(mine("qui*")).containsExactlyInAnyOrder(4L, 5L);
        assertThat(mine("quick brown")).as("every word must match").containsExactly(4L);
        assertThat(mine("quick", "sender", bob.userId)).containsExactly(5L);
        assertThat(mine("quick", "after", Long.toString(T0 + 4500))).containsExactly(5L);
        assertThat(mine(
                        "quick",
                        "before",
                        java.time.Instant.ofEpochMilli(T0 + 4500).toString()))
                .containsExactly(4L);
        assertThat(mine("quick", "sort", "recent")).containsExactly(5L, 4L);
        assertThat(mine("zebra"))
                .as("a disappearing message past its time is never found, one before it is")
                .containsExactly(8L);
        TestClient.Response script = search(alice, "/v1/conversations/" + chat + "/search", "q", "alert");
        assertThat(script.body().path("results").get(0).path("highlight").asText())
                .as("the body is escaped in the highlight")
                .contains("&lt;script&gt;")
                .doesNotContain("<script>");
    }

    @Test
    void shouldPageWithoutRepeatsOrGapsAndRefuseATamperedCursor() throws Exception {
        for (String sort : List.of("recent", "relevance")) {
            Set<Long> seen = new HashSet<>();
            List<Long> order = new ArrayList<>();
            String cursor = null;
            int pages = 0;
            do {
                TestClient.Response page = cursor == null
                        ? search(
                                alice,
                                "/v1/conversations/" + paging + "/search",
                                "q",
                                "page",
                                "limit",
                                "10",
                                "sort",
                                sort)
                        : search(
                                alice,
                                "/v1/conversations/" + paging + "/search",
                                "q",
                                "page",
                                "limit",
                                "10",
                                "sort",
                                sort,
                                "cursor",
                                cursor);
                List<Long> seqs = seqs(page);
                order.addAll(seqs);
                seen.addAll(seqs);
                cursor = page.body().path("next").isNull()
                        ? null
                        : page.body().path("next").asText();
                pages++;
            } while (cursor != null && pages < 10);
            assertThat(order).as(sort).hasSize(45);
            assertThat(seen).as(sort + ": no repeats").hasSize(45);
            assertThat(pages).isEqualTo(5);
        }
        String next = search(alice, "/v1/conversations/" + paging + "/search", "q", "page", "limit", "10")
                .body()
                .path("next")
                .asText();
        char last = next.charAt(next.length() - 1);
        String tampered = next.substring(0, next.length() - 1) + (last == 'A' ? 'B' : 'A');
        assertBadRequest(search(alice, "/v1/conversations/" + paging + "/search", "q", "page", "cursor", tampered));
        int mid = next.indexOf('.') / 2; // inside the sort values
        String forged = next.substring(0, mid) + (next.charAt(mid) == 'x' ? 'y' : 'x') + next.substring(mid + 1);
        assertBadRequest(search(alice, "/v1/conversations/" + paging + "/search", "q", "page", "cursor", forged));
        assertBadRequest(search(alice, "/v1/conversations/" + paging + "/search", "q", "word", "cursor", next));
        assertBadRequest(search(bob, "/v1/search", "q", "page", "cursor", next));
    }

    @Test
    void shouldNeverShowAnotherConversationsMessagesWhateverTheQuery() throws Exception {
        assertThat(seqs(search(mallory, "/v1/search", "q", "quick"))).isEmpty();
        TestClient.Response notMember = search(mallory, "/v1/conversations/" + chat + "/search", "q", "quick");
        assertThat(notMember.status()).isEqualTo(403);
        assertThat(notMember.body().path("code").asText()).isEqualTo("not_member");
        assertThat(search(mallory, "/v1/search", "q", "quick", "conversation_id", chat)
                        .status())
                .isEqualTo(403);
        TestClient.Response missing = search(mallory, "/v1/conversations/g_nothing_here/search", "q", "quick");
        assertThat(missing.status())
                .as("a missing conversation answers as someone else's")
                .isEqualTo(403);
        for (String q : List.of(
                "body:*",
                "_id:" + chat + ":1",
                "conversation_id:" + chat,
                "*:* OR quick",
                "{\"script\":{\"source\":\"1\"}}",
                "quick) OR (conversation_id:" + chat,
                "\\\" OR 1=1 --",
                "/.*/")) {
            TestClient.Response r = search(mallory, "/v1/search", "q", q);
            assertThat(r.status()).as(q).isIn(200, 400);
            if (r.status() == 200) {
                assertThat(seqs(r)).as(q).isEmpty();
            } else {
                assertThat(r.body().path("code").asText()).isEqualTo("bad_request");
            }
        }

        String removedFrom = "g_removed_" + UUID.randomUUID().toString().replace("-", "");
        TestClient carol = TestClient.register(edge.port(), name("carol"));
        fixture.seedMembers(removedFrom, alice.userId, carol.userId);
        os("POST", "/_bulk?refresh=true", bulkOf(removedFrom, "a secret plan"));
        assertThat(seqs(search(carol, "/v1/search", "q", "secret"))).containsExactly(1L);
        fixture.removeMember(removedFrom, carol.userId);
        assertThat(seqs(search(carol, "/v1/search", "q", "secret")))
                .as("removed: at once")
                .isEmpty();
        assertThat(search(carol, "/v1/conversations/" + removedFrom + "/search", "q", "secret")
                        .status())
                .isEqualTo(403);
        log.assertNoEdgeErrors();
    }

    private static String bulkOf(String conv, String body) {
        StringBuilder bulk = new StringBuilder();
        doc(bulk, conv, 1, alice.userId, body);
        return bulk.toString();
    }

    private static void assertBadRequest(TestClient.Response r) {
        assertThat(r.status()).as(r.body().toString()).isEqualTo(400);
        assertThat(r.body().path("code").asText()).isEqualTo("bad_request");
    }

    @Test
    void shouldAnswerBadInputWith400AndAnUnreachableEngineWith503() throws Exception {
        String path = "/v1/search";
        assertBadRequest(search(alice, path));
        assertBadRequest(search(alice, path, "q", ""));
        assertBadRequest(search(alice, path, "q", "   "));
        assertBadRequest(search(alice, path, "q", "x".repeat(10_240)));
        assertThat(search(alice, path, "q", "x".repeat(256)).status()).isEqualTo(200);
        assertBadRequest(search(alice, path, "q", "x".repeat(257)));
        assertBadRequest(search(alice, path, "q", "\"unbalanced"));
        assertBadRequest(search(alice, path, "q", "*"));
        for (String limit : List.of("0", "-1", "1000000000", "101", "ten", "")) {
            assertBadRequest(search(alice, path, "q", "quick", "limit", limit));
        }
        assertThat(search(alice, path, "q", "quick", "limit", "100").status()).isEqualTo(200);
        // years java.time parses but epoch milliseconds cannot hold (the first two: a 500 before), and
        // dates just outside the years 0 to 9999
        List<String> farOff = List.of(
                "-300000000-01-01", "+300000000-01-01T00:00:00Z", "-0001-12-31", "+10000-01-01", "999999999999999");
        for (String date : farOff) {
            assertBadRequest(search(alice, path, "q", "quick", "after", date));
            assertBadRequest(search(alice, path, "q", "quick", "before", date));
        }
        for (String date : List.of("0000-01-01", "9999-12-31T23:59:59Z")) {
            assertThat(search(alice, path, "q", "quick", "after", date).status())
                    .as(date)
                    .isEqualTo(200);
        }
        for (String date : List.of("yesterday", "2026-13-45", "2026-06-01T25:00:00Z", "1e9", "99999999999999999999")) {
            assertBadRequest(search(alice, path, "q", "quick", "after", date));
            assertBadRequest(search(alice, path, "q", "quick", "before", date));
        }
        assertBadRequest(search(alice, path, "q", "quick", "sort", "random"));
        assertBadRequest(search(alice, path, "q", "quick", "cursor", "garbage"));
        assertBadRequest(search(alice, path, "q", "quick", "cursor", "e30.e30"));

        Map<String, Object> s =
                fixture.settings("search-down-" + UUID.randomUUID().toString().substring(0, 6));
        s.put(EdgeSettings.SEARCH_URLS, "http://127.0.0.1:" + FreePorts.next()); // nothing listens there
        s.put(EdgeSettings.SEARCH_INDEX, index);
        s.put(EdgeSettings.SEARCH_TIMEOUT_MS, 1000L);
        EdgeMain.RunningEdge down = fixture.edge(s);
        TestClient.Response r = alice.http(down.port(), "GET", "/v1/search?q=quick", null);
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.body().path("code").asText()).isEqualTo("unavailable");
        log.assertNoEdgeErrors();
    }
}
