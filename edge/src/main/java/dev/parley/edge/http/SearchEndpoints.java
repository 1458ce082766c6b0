package dev.parley.edge.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.edge.ApiException;
import dev.parley.edge.history.HistoryReader;
import dev.parley.edge.presence.RateLimiters;
import dev.parley.edge.search.MessageSearch;
import dev.parley.edge.search.SearchCursor;
import dev.parley.edge.search.SearchQuery;
import dev.parley.schema.ConversationIds;
import dev.parley.schema.ErrorCode;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.PathTemplateMatch;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /v1/search} (across the caller's conversations, or one with {@code conversation_id})
 * and {@code GET /v1/conversations/{id}/search}: DESIGN 7.2. Who may see what is decided here from
 * the same tables the history API reads, at query time: one conversation needs membership (else
 * 403 {@code not_member}, as history answers), all of them means the caller's conversation list,
 * at most {@code search.max.conversations} of it (beyond that the answer says {@code
 * "partial":true}). Every bad parameter is 400 {@code bad_request}; OpenSearch down is 503 {@code
 * unavailable}.
 */
public final class SearchEndpoints {

    private static final int DEFAULT_LIMIT = 20;
    private static final int MAX_LIMIT = 100;
    private static final int MAX_CLAUSES = 32;
    private static final int MAX_USER_ID_CHARS = 128;

    private final MessageSearch search;
    private final SearchCursor cursors;
    private final HistoryReader history;
    private final RateLimiters limits;
    private final JsonExchange io;
    private final int maxQueryChars;
    private final int maxConversations;

    public SearchEndpoints(
            MessageSearch search,
            SearchCursor cursors,
            HistoryReader history,
            RateLimiters limits,
            JsonExchange io,
            int maxQueryChars,
            int maxConversations) {
        this.search = search;
        this.cursors = cursors;
        this.history = history;
        this.limits = limits;
        this.io = io;
        this.maxQueryChars = maxQueryChars;
        this.maxConversations = maxConversations;
    }

    /** {@code GET /v1/search}. */
    public void searchMine(HttpServerExchange exchange, String userId) {
        run(exchange, userId, param(exchange.getQueryParameters(), "conversation_id"));
    }

    /** {@code GET /v1/conversations/{id}/search}. */
    public void searchConversation(HttpServerExchange exchange, String userId) {
        String id = exchange.getAttachment(PathTemplateMatch.ATTACHMENT_KEY)
                .getParameters()
                .get("id");
        run(exchange, userId, id);
    }

    private void run(HttpServerExchange exchange, String userId, String conversationId) {
        Map<String, Deque<String>> params = exchange.getQueryParameters();
        SearchQuery query = SearchQuery.parse(param(params, "q"), maxQueryChars, MAX_CLAUSES);
        String sender = param(params, "sender");
        if (sender != null && (sender.isEmpty() || sender.length() > MAX_USER_ID_CHARS)) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "sender must be a user id");
        }
        Instant after = time(params, "after");
        Instant before = time(params, "before");
        String sort = param(params, "sort");
        if (sort != null && !sort.equals("relevance") && !sort.equals("recent")) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "sort must be relevance or recent");
        }
        boolean recent = "recent".equals(sort);
        int limit = limit(params);
        if (conversationId != null && !ConversationIds.isValid(conversationId)) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "invalid conversation id");
        }
        String scope = String.join(
                "\n",
                userId,
                conversationId == null ? "*" : conversationId,
                param(params, "q"),
                String.valueOf(sender),
                String.valueOf(after),
                String.valueOf(before),
                String.valueOf(recent));
        String cursor = param(params, "cursor");
        ArrayNode searchAfter = cursor == null ? null : cursors.decode(scope, cursor);
        limits.acquire(RateLimiters.Action.SEARCH, userId);

        List<String> ids;
        boolean partial = false;
        if (conversationId != null) {
            if (!history.isMember(conversationId, userId)) {
                throw new ApiException(ErrorCode.NOT_MEMBER, "not a member of this conversation");
            }
            ids = List.of(conversationId);
        } else {
            ids = history.conversationIdsOf(userId, maxConversations + 1);
            if (ids.size() > maxConversations) {
                ids = ids.subList(0, maxConversations);
                partial = true;
            }
        }
        MessageSearch.Page page = ids.isEmpty()
                ? new MessageSearch.Page(List.of(), null)
                : search.search(new MessageSearch.Request(
                        query, ids, conversationId, sender, after, before, recent, limit, searchAfter));
        ObjectNode out = io.json().createObjectNode();
        ArrayNode results = out.putArray("results");
        for (MessageSearch.Hit h : page.hits()) {
            ObjectNode r = results.addObject()
                    .put("conversation_id", h.conversationId())
                    .put("seq", h.seq())
                    .put("message_id", h.messageId())
                    .put("sender", h.sender())
                    .put("ts", h.ts())
                    .put("body", h.body());
            if (h.highlight() == null) {
                r.putNull("highlight");
            } else {
                r.put("highlight", h.highlight());
            }
        }
        if (page.next() == null) {
            out.putNull("next");
        } else {
            out.put("next", cursors.encode(scope, page.next()));
        }
        if (partial) {
            out.put("partial", true);
        }
        io.send(exchange, 200, out);
    }

    private static String param(Map<String, Deque<String>> params, String name) {
        Deque<String> values = params.get(name);
        return values == null || values.isEmpty() ? null : values.getFirst();
    }

    private static int limit(Map<String, Deque<String>> params) {
        String text = param(params, "limit");
        if (text == null) {
            return DEFAULT_LIMIT;
        }
        if (text.isEmpty() || text.length() > 3 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "limit must be an integer from 1 to " + MAX_LIMIT);
        }
        int limit = Integer.parseInt(text);
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "limit must be an integer from 1 to " + MAX_LIMIT);
        }
        return limit;
    }

    // java.time parses years up to +-999,999,999, past what epoch milliseconds (the index's) can hold
    private static final Instant EARLIEST = Instant.parse("0000-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999Z");

    /**
     * ISO-8601 (an instant, a date-time with offset, or a date meaning its start in UTC) or epoch ms,
     * in the years 0 to 9999.
     */
    static Instant time(Map<String, Deque<String>> params, String name) {
        String text = param(params, name);
        if (text == null) {
            return null;
        }
        Instant time = parseTime(text);
        if (time == null) {
            throw new ApiException(
                    ErrorCode.BAD_REQUEST, name + " must be ISO-8601 (2026-06-01T08:00:00Z, 2026-06-01) or epoch ms");
        }
        if (time.isBefore(EARLIEST) || time.isAfter(LATEST)) {
            throw new ApiException(ErrorCode.BAD_REQUEST, name + " must be in the years 0 to 9999");
        }
        return time;
    }

    private static Instant parseTime(String text) {
        if (!text.isEmpty() && text.length() <= 15 && text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return Instant.ofEpochMilli(Long.parseLong(text));
        }
        if (text.length() > 40) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeException e) {
            // not a date-time with an offset: try a date
        }
        try {
            return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
        } catch (DateTimeException e) {
            return null;
        }
    }
}
