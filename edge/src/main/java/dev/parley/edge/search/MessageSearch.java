package dev.parley.edge.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.edge.ApiException;
import dev.parley.schema.ErrorCode;
import dev.parley.schema.SearchIndex;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.util.Timeout;
import org.opensearch.client.json.jackson.JacksonJsonpMapper;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch.generic.Body;
import org.opensearch.client.opensearch.generic.OpenSearchGenericClient;
import org.opensearch.client.opensearch.generic.Requests;
import org.opensearch.client.opensearch.generic.Response;
import org.opensearch.client.transport.httpclient5.ApacheHttpClient5Transport;
import org.opensearch.client.transport.httpclient5.ApacheHttpClient5TransportBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a search on the message index (layout in {@link SearchIndex}). The request is JSON built
 * here from the parsed {@link SearchQuery}: each word a {@code match} (all its terms, on the folded
 * field or the English-stemmed one), each phrase a {@code match_phrase}, each prefix a {@code
 * match_phrase_prefix} (analyzed like the index, expansions bounded). Authorization is a filter in
 * the same query: a {@code terms} filter on the conversation ids the caller is a member of now, so
 * a page is always full of allowed hits, never filtered after the fact. A search in one
 * conversation is also routed to its shard. Sorted by score or time, then {@code ts} and the
 * document key as tiebreaks, so {@code search_after} pages neither repeat nor skip.
 */
public final class MessageSearch implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MessageSearch.class);
    private static final int MAX_PREFIX_EXPANSIONS = 50;

    /** What to search: the caller's allowed conversations and the filters of the request. */
    public record Request(
            SearchQuery query,
            List<String> conversationIds,
            String routing,
            String sender,
            Instant after,
            Instant before,
            boolean recent,
            int limit,
            ArrayNode searchAfter) {}

    public record Hit(
            String conversationId, long seq, String messageId, String sender, long ts, String body, String highlight) {}

    /** The hits and the sort values to continue after, or null when this was the last page. */
    public record Page(List<Hit> hits, ArrayNode next) {}

    private final ObjectMapper json;
    private final ApacheHttpClient5Transport transport;
    private final OpenSearchGenericClient client;
    private final String alias;

    public MessageSearch(ObjectMapper json, List<String> urls, Duration timeout, String alias) {
        this.json = json;
        HttpHost[] hosts = urls.stream()
                .map(URI::create)
                .map(u -> new HttpHost(u.getScheme(), u.getHost(), u.getPort()))
                .toArray(HttpHost[]::new);
        Timeout t = Timeout.ofMilliseconds(timeout.toMillis());
        this.transport = ApacheHttpClient5TransportBuilder.builder(hosts)
                .setMapper(new JacksonJsonpMapper(json))
                .setConnectionConfigCallback(c -> c.setConnectTimeout(t).setSocketTimeout(t))
                .setRequestConfigCallback(r -> r.setResponseTimeout(t))
                .build();
        this.client = new OpenSearchClient(transport).generic();
        this.alias = alias;
    }

    /**
     * @throws ApiException {@code unavailable} when OpenSearch does not answer or is overloaded
     */
    public Page search(Request request) {
        ObjectNode body = body(request);
        JsonNode answer;
        try (Response r = client.execute(Requests.builder()
                .method("POST")
                .endpoint("/" + alias + "/_search")
                .query(request.routing() == null ? Map.of() : Map.of("routing", request.routing()))
                .body(Body.from(json.writeValueAsBytes(body), "application/json"))
                .build())) {
            String text = r.getBody().map(Body::bodyAsString).orElse("");
            if (r.getStatus() == 404) {
                return new Page(List.of(), null); // the sink has not created the index yet: nothing indexed
            }
            if (r.getStatus() == 429 || r.getStatus() >= 500) {
                log.warn("search answered {}: {}", r.getStatus(), abbreviate(text));
                throw new ApiException(ErrorCode.UNAVAILABLE, "search is unavailable; retry shortly");
            }
            if (r.getStatus() != 200) {
                // our own request refused: a bug here or a query the engine cannot run; not the client's stack trace
                log.warn("search refused with {}: {}", r.getStatus(), abbreviate(text));
                throw new ApiException(ErrorCode.BAD_REQUEST, "this search cannot be run");
            }
            answer = json.readTree(text);
        } catch (IOException e) {
            log.warn("search failed: {}", e.toString());
            throw new ApiException(ErrorCode.UNAVAILABLE, "search is unavailable; retry shortly");
        }
        JsonNode hits = answer.path("hits").path("hits");
        List<Hit> out = new ArrayList<>();
        ArrayNode next = null;
        for (int i = 0; i < hits.size() && i < request.limit(); i++) {
            JsonNode h = hits.get(i);
            JsonNode src = h.path("_source");
            out.add(new Hit(
                    src.path(SearchIndex.CONVERSATION_ID).asText(),
                    src.path(SearchIndex.SEQ).asLong(),
                    src.path(SearchIndex.MESSAGE_ID).asText(),
                    src.path(SearchIndex.SENDER).asText(),
                    src.path(SearchIndex.TS).asLong(),
                    src.path(SearchIndex.BODY).asText(),
                    highlight(h.path("highlight"))));
            next = (ArrayNode) h.path("sort");
        }
        return new Page(out, hits.size() > request.limit() ? next : null);
    }

    private static String highlight(JsonNode highlight) {
        for (String field : List.of(SearchIndex.BODY, SearchIndex.BODY_STEMMED)) {
            JsonNode fragments = highlight.path(field);
            if (fragments.isArray() && !fragments.isEmpty()) {
                return fragments.get(0).asText();
            }
        }
        return null;
    }

    ObjectNode body(Request request) {
        ObjectNode body = json.createObjectNode();
        body.put("size", request.limit() + 1); // one more than asked: says whether a next page exists
        body.put("track_total_hits", false);
        ObjectNode bool = body.putObject("query").putObject("bool");
        ArrayNode must = bool.putArray("must");
        for (SearchQuery.Clause c : request.query().clauses()) {
            must.add(clause(c));
        }
        ArrayNode filter = bool.putArray("filter");
        ArrayNode ids = filter.addObject().putObject("terms").putArray(SearchIndex.CONVERSATION_ID);
        request.conversationIds().forEach(ids::add);
        // a disappearing message past its time is not found, whether or not it is deleted yet
        ArrayNode live = filter.addObject()
                .putObject("bool")
                .put("minimum_should_match", 1)
                .putArray("should");
        live.addObject()
                .putObject("bool")
                .putObject("must_not")
                .putObject("exists")
                .put("field", SearchIndex.EXPIRES_AT);
        live.addObject().putObject("range").putObject(SearchIndex.EXPIRES_AT).put("gt", "now");
        if (request.sender() != null) {
            filter.addObject().putObject("term").put(SearchIndex.SENDER, request.sender());
        }
        if (request.after() != null || request.before() != null) {
            ObjectNode range = filter.addObject().putObject("range").putObject(SearchIndex.TS);
            if (request.after() != null) {
                range.put("gt", request.after().toEpochMilli());
            }
            if (request.before() != null) {
                range.put("lt", request.before().toEpochMilli());
            }
        }
        ArrayNode sort = body.putArray("sort");
        if (!request.recent()) {
            sort.addObject().put("_score", "desc");
        }
        sort.addObject().put(SearchIndex.TS, "desc");
        sort.addObject().put(SearchIndex.KEY, "desc");
        if (request.searchAfter() != null) {
            body.set("search_after", request.searchAfter());
        }
        ObjectNode highlight = body.putObject("highlight");
        highlight.putArray("pre_tags").add("<mark>");
        highlight.putArray("post_tags").add("</mark>");
        highlight.put("encoder", "html"); // the body is escaped, so the highlight is safe to render as HTML
        ObjectNode fields = highlight.putObject("fields");
        fields.putObject(SearchIndex.BODY).put("number_of_fragments", 0);
        fields.putObject(SearchIndex.BODY_STEMMED).put("number_of_fragments", 0);
        return body;
    }

    private ObjectNode clause(SearchQuery.Clause c) {
        ObjectNode q = json.createObjectNode();
        switch (c.kind()) {
            case WORD -> {
                ArrayNode should = q.putObject("bool").putArray("should");
                for (String field : List.of(SearchIndex.BODY, SearchIndex.BODY_STEMMED)) {
                    should.addObject()
                            .putObject("match")
                            .putObject(field)
                            .put("query", c.text())
                            .put("operator", "and");
                }
            }
            case PHRASE -> {
                ArrayNode should = q.putObject("bool").putArray("should");
                for (String field : List.of(SearchIndex.BODY, SearchIndex.BODY_STEMMED)) {
                    should.addObject()
                            .putObject("match_phrase")
                            .putObject(field)
                            .put("query", c.text());
                }
            }
            case PREFIX ->
                q.putObject("match_phrase_prefix")
                        .putObject(SearchIndex.BODY)
                        .put("query", c.text())
                        .put("max_expansions", MAX_PREFIX_EXPANSIONS);
        }
        return q;
    }

    private static String abbreviate(String s) {
        return s.length() <= 500 ? s : s.substring(0, 500) + "...";
    }

    @Override
    public void close() throws IOException {
        transport.close();
    }
}
