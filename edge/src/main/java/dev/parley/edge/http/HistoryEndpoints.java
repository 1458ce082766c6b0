package dev.parley.edge.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.edge.ApiException;
import dev.parley.edge.history.HistoryReader;
import dev.parley.edge.presence.RateLimiters;
import dev.parley.edge.socket.ServerFrames;
import dev.parley.schema.ConversationIds;
import dev.parley.schema.ErrorCode;
import dev.parley.schema.MediaDescriptors;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.PathTemplateMatch;
import java.util.Deque;
import java.util.Map;

/**
 * {@code GET /v1/conversations/{id}/messages?after=N|before=N&limit=L} and {@code GET
 * /v1/conversations}: how a client catches up after a minute or a month offline. Messages come in
 * ascending seq with the fields of the {@code message} frame; {@code next} is the cursor to pass as
 * the same parameter for the following page, or null when there is none.
 *
 * <p>Cursors are non-negative integers up to 2^53 (the largest integer a JSON number holds exactly
 * in every client); anything else is 400 {@code bad_request}. The reader clamps them to the
 * conversation's last seq and bounds the buckets one page reads.
 */
public final class HistoryEndpoints {

    private static final int DEFAULT_LIMIT = 50;
    private static final int MAX_LIMIT = 200;
    static final long MAX_CURSOR = 1L << 53;

    private final HistoryReader history;
    private final JsonExchange io;
    private final RateLimiters limits;
    private final dev.parley.edge.history.ErasureCheck erasure;

    /** Every endpoint here takes a token of the reads bucket before it reads Cassandra. */
    public HistoryEndpoints(
            HistoryReader history, JsonExchange io, RateLimiters limits, dev.parley.edge.history.ErasureCheck erasure) {
        this.history = history;
        this.io = io;
        this.limits = limits;
        this.erasure = erasure;
    }

    /**
     * {@code GET /v1/conversations/{id}/messages/{seq}/erasure}: whether each projection has applied
     * the delete or expiry of message seq. {@code history} from the Cassandra sink's committed offset
     * ({@link dev.parley.edge.history.ErasureCheck}; an expired message: applied, Cassandra's TTL does
     * it); {@code search} from the search sink's the same way (an expired message: applied, searches
     * leave out documents past their {@code expires_at}; null when no search sink has committed);
     * {@code media} follows {@code history}: the sink drops a message's media uses in the same record
     * as its tombstone (an expired one: their TTL), after which no member can read that media; the
     * bytes leave the store at the next orphan sweep unless another message still uses them (README).
     * 404 {@code not_found} for a message neither deleted nor expired. Members only.
     */
    public void erasure(HttpServerExchange exchange, String userId) throws Exception {
        String id = conversationId(exchange);
        Long seq = dev.parley.edge.ClientInput.pathSeq(exchange.getAttachment(PathTemplateMatch.ATTACHMENT_KEY)
                .getParameters()
                .get("seq"));
        if (seq == null) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "seq must be an integer from 1 to 2^53");
        }
        limits.acquire(RateLimiters.Action.READS, userId);
        if (!history.isMember(id, userId)) {
            throw new ApiException(ErrorCode.NOT_MEMBER, "not a member of this conversation");
        }
        if (seq > history.lastSeq(id)) {
            throw new ApiException(ErrorCode.NOT_FOUND, "no message " + seq + " in this conversation");
        }
        // the sink's offsets first, the row second: the sink writes a tombstone before it commits past
        // it, so a row read after "applied" shows the delete. The other order could read the row just
        // before the tombstone and the offsets just after, and call a deleted message "not deleted".
        Boolean sinkApplied = erasure == null ? null : erasure.historyApplied(id, seq);
        HistoryReader.Message now = history.message(id, seq);
        Boolean applied;
        Boolean searchApplied;
        if (now == null) {
            applied = Boolean.TRUE; // expired: Cassandra's TTL removed it, nothing is readable
            searchApplied = Boolean.TRUE; // and no search finds a document past its expires_at
        } else {
            applied = sinkApplied;
            if (Boolean.TRUE.equals(applied) && !now.deleted()) {
                throw new ApiException(ErrorCode.NOT_FOUND, "message " + seq + " is neither deleted nor expired");
            }
            searchApplied = erasure == null ? null : erasure.searchApplied(id, seq);
        }
        ObjectNode out = io.json().createObjectNode();
        if (applied == null) {
            out.putNull("history");
        } else {
            out.put("history", applied);
        }
        if (searchApplied == null) {
            out.putNull("search");
        } else {
            out.put("search", searchApplied);
        }
        if (applied == null) {
            out.putNull("media");
        } else {
            out.put("media", applied);
        }
        io.send(exchange, 200, out);
    }

    public void messages(HttpServerExchange exchange, String userId) {
        String id = conversationId(exchange);
        Map<String, Deque<String>> query = exchange.getQueryParameters();
        Long after = number(query, "after");
        Long before = number(query, "before");
        Long limitParam = number(query, "limit");
        if (after != null && before != null) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "use after or before, not both");
        }
        int limit = limit(limitParam);
        limits.acquire(RateLimiters.Action.READS, userId);
        if (!history.isMember(id, userId)) {
            throw new ApiException(ErrorCode.NOT_MEMBER, "not a member of this conversation");
        }
        HistoryReader.Page page = after != null
                ? history.after(id, after, limit)
                : before != null ? history.before(id, before, limit) : history.latest(id, limit);
        ObjectNode out = io.json().createObjectNode();
        ArrayNode messages = out.putArray("messages");
        for (HistoryReader.Message m : page.messages()) {
            item(messages.addObject(), m);
        }
        if (page.next() == null) {
            out.putNull("next");
        } else {
            out.put("next", page.next());
        }
        io.send(exchange, 200, out);
    }

    /**
     * A history item: the fields of the {@code message} frame, plus {@code version} (the change
     * counter at its last change), {@code edited_at} once edited, {@code reactions} as {@code
     * [{"emoji","users"}]} and {@code expires_at} for a disappearing message. A deleted message is a
     * tombstone {@code {"seq","deleted":true,"version"}} with its sender and time, nothing of its content.
     */
    private static void item(ObjectNode f, HistoryReader.Message m) {
        f.put("type", "message")
                .put("conversation_id", m.conversationId())
                .put("seq", m.seq())
                .put("message_id", Long.toString(m.messageId()))
                .put("sender", m.sender())
                .put("ts", m.createdAt().toEpochMilli())
                .put("version", m.version());
        if (m.deleted()) {
            f.put("deleted", true);
            return;
        }
        f.put("body", m.body());
        f.set(
                "media",
                ServerFrames.media(
                        m.media(),
                        m.attachments().stream().map(MediaDescriptors::parse).toList()));
        if (m.replyTo() != null) {
            f.put("reply_to", m.replyTo());
        }
        if (m.editedAt() != null) {
            f.put("edited_at", m.editedAt().toEpochMilli());
        }
        if (m.expiresAt() != null) {
            f.put("expires_at", m.expiresAt().toEpochMilli());
        }
        ArrayNode reactions = f.putArray("reactions");
        for (HistoryReader.Reaction r : m.reactions()) {
            ObjectNode reaction = reactions.addObject().put("emoji", r.emoji());
            ArrayNode users = reaction.putArray("users");
            r.users().forEach(users::add);
        }
    }

    /**
     * {@code GET /v1/conversations/{id}/changes?since=V&limit=L}: every change after version V, in
     * version order, each once; {@code next} is the {@code since} of the following page, or null when
     * nothing more is there yet. Entries about a message ({@code edited}, {@code deleted},
     * {@code reaction}) carry {@code message}, the history item as it is now: a client replaces its
     * copy with it and ends equal to history. An entry whose message has disappeared by its
     * retention is {@code {"type":"expired","seq"}}: the client drops that message. Members only.
     */
    public void changes(HttpServerExchange exchange, String userId) {
        String id = conversationId(exchange);
        Map<String, Deque<String>> query = exchange.getQueryParameters();
        Long since = number(query, "since");
        Long limitParam = number(query, "limit");
        int limit = limit(limitParam);
        limits.acquire(RateLimiters.Action.READS, userId);
        if (!history.isMember(id, userId)) {
            throw new ApiException(ErrorCode.NOT_MEMBER, "not a member of this conversation");
        }
        HistoryReader.Changes page = history.changes(id, since == null ? 0 : since, limit);
        ObjectNode out = io.json().createObjectNode();
        ArrayNode changes = out.putArray("changes");
        for (HistoryReader.Change c : page.changes()) {
            ObjectNode f = changes.addObject().put("version", c.version()).put("type", c.type());
            f.put("actor", c.actor());
            if (c.ts() != null) {
                f.put("ts", c.ts().toEpochMilli());
            }
            if (c.seq() != null) {
                f.put("seq", c.seq());
                HistoryReader.Message now = history.message(id, c.seq());
                if (now == null) {
                    f.put("type", "expired");
                } else {
                    item(f.putObject("message"), now);
                    if (c.type().equals("edited") && !now.deleted()) {
                        f.put("body", now.body());
                        f.put(
                                "edited_at",
                                now.editedAt() == null ? null : now.editedAt().toEpochMilli());
                    } else if (c.type().equals("deleted")) {
                        f.put("deleted", true);
                    }
                }
            }
            strings(f, "added", c.added());
            strings(f, "removed", c.removed());
            strings(f, "admins", c.admins());
            if (c.memberCount() != null) {
                f.put("member_count", c.memberCount());
            }
            if (c.name() != null) {
                f.put("name", c.name());
            }
            if (c.type().equals("retention")) {
                f.put("retention_seconds", c.retentionSeconds());
            }
        }
        if (page.next() == null) {
            out.putNull("next");
        } else {
            out.put("next", page.next());
        }
        io.send(exchange, 200, out);
    }

    private static void strings(ObjectNode f, String field, java.util.List<String> values) {
        if (values != null) {
            ArrayNode array = f.putArray(field);
            values.forEach(array::add);
        }
    }

    public void conversations(HttpServerExchange exchange, String userId) {
        limits.acquire(RateLimiters.Action.READS, userId);
        ObjectNode out = io.json().createObjectNode();
        ArrayNode list = out.putArray("conversations");
        for (HistoryReader.Summary s : history.conversationsOf(userId)) {
            ObjectNode c = list.addObject()
                    .put("conversation_id", s.conversationId())
                    .put("type", s.type())
                    .put("name", s.name())
                    .put("last_seq", s.lastSeq())
                    .put("read", s.read())
                    .put("delivered", s.delivered())
                    .put("unread", Math.max(0, s.lastSeq() - s.read()));
            if (s.lastActivity() != null) {
                c.put("last_activity", s.lastActivity().toEpochMilli());
            }
        }
        io.send(exchange, 200, out);
    }

    private static String conversationId(HttpServerExchange exchange) {
        String id = exchange.getAttachment(PathTemplateMatch.ATTACHMENT_KEY)
                .getParameters()
                .get("id");
        if (!ConversationIds.isValid(id)) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "invalid conversation id");
        }
        return id;
    }

    /** A page size: {@value #DEFAULT_LIMIT} when not given, at most {@value #MAX_LIMIT}. */
    private static int limit(Long requested) {
        int limit = requested == null ? DEFAULT_LIMIT : (int) Math.min(requested, MAX_LIMIT);
        if (limit < 1) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "limit must be at least 1");
        }
        return limit;
    }

    private static Long number(Map<String, Deque<String>> query, String name) {
        Deque<String> values = query.get(name);
        if (values == null || values.isEmpty()) {
            return null;
        }
        String text = values.getFirst();
        // digits only, and few enough that parsing cannot overflow: "+1", "1e9" and 2^63 are refused
        if (text.isEmpty() || text.length() > 16 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new ApiException(ErrorCode.BAD_REQUEST, name + " must be an integer from 0 to " + MAX_CURSOR);
        }
        long value = Long.parseLong(text);
        if (value > MAX_CURSOR) {
            throw new ApiException(ErrorCode.BAD_REQUEST, name + " must be an integer from 0 to " + MAX_CURSOR);
        }
        return value;
    }
}
