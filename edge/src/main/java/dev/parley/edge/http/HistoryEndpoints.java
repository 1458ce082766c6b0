package dev.parley.edge.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.edge.ApiException;
import dev.parley.edge.history.HistoryReader;
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

    public HistoryEndpoints(HistoryReader history, JsonExchange io) {
        this.history = history;
        this.io = io;
    }

    public void messages(HttpServerExchange exchange, String userId) {
        String id = exchange.getAttachment(PathTemplateMatch.ATTACHMENT_KEY)
                .getParameters()
                .get("id");
        if (!ConversationIds.isValid(id)) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "invalid conversation id");
        }
        Map<String, Deque<String>> query = exchange.getQueryParameters();
        Long after = number(query, "after");
        Long before = number(query, "before");
        Long limitParam = number(query, "limit");
        if (after != null && before != null) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "use after or before, not both");
        }
        int limit = limitParam == null ? DEFAULT_LIMIT : (int) Math.min(limitParam, MAX_LIMIT);
        if (limit < 1) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "limit must be at least 1");
        }
        if (!history.isMember(id, userId)) {
            throw new ApiException(ErrorCode.NOT_MEMBER, "not a member of this conversation");
        }
        HistoryReader.Page page = after != null
                ? history.after(id, after, limit)
                : before != null ? history.before(id, before, limit) : history.latest(id, limit);
        ObjectNode out = io.json().createObjectNode();
        ArrayNode messages = out.putArray("messages");
        for (HistoryReader.Message m : page.messages()) {
            ObjectNode f = messages.addObject()
                    .put("type", "message")
                    .put("conversation_id", m.conversationId())
                    .put("seq", m.seq())
                    .put("message_id", Long.toString(m.messageId()))
                    .put("sender", m.sender())
                    .put("body", m.body())
                    .put("ts", m.createdAt().toEpochMilli());
            f.set(
                    "media",
                    ServerFrames.media(
                            m.media(),
                            m.attachments().stream()
                                    .map(MediaDescriptors::parse)
                                    .toList()));
            if (m.replyTo() != null) {
                f.put("reply_to", m.replyTo());
            }
        }
        if (page.next() == null) {
            out.putNull("next");
        } else {
            out.put("next", page.next());
        }
        io.send(exchange, 200, out);
    }

    public void conversations(HttpServerExchange exchange, String userId) {
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
