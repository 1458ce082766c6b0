package dev.parley.edge.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.edge.ApiException;
import dev.parley.edge.ClientInput;
import dev.parley.edge.auth.AccountStore;
import dev.parley.edge.auth.Usernames;
import dev.parley.edge.history.ChannelDirectory;
import dev.parley.edge.history.HistoryReader;
import dev.parley.edge.history.ReceiptCounts;
import dev.parley.edge.messaging.CommandGateway;
import dev.parley.edge.presence.RateLimiters;
import dev.parley.edge.search.SearchCursor;
import dev.parley.schema.ChannelNames;
import dev.parley.schema.ErrorCode;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.PathTemplateMatch;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * Who is who, for a client that shows people by name: {@code GET /v1/users?username=} finds the user
 * id to start a direct conversation with (a person knows a username, the API takes ids), and {@code
 * GET /v1/conversations/{id}/members} lists a conversation's members with their names and admins, so
 * a client can title a direct conversation, name senders, offer admin actions and show its own
 * messages' delivered / read ticks after a reload (each member's receipt watermarks).
 *
 * <p>A lookup by name tells no more than registering the name would (409 when taken), but needs a
 * token and takes a token of the caller's presence bucket ({@code rate.limit.presence.*}, the
 * bucket that already bounds "is this person there" questions), so it cannot be used to list users
 * faster than presence can. Members are shown to members only ({@code not_member} otherwise, as for
 * history), from the rows the Cassandra sink writes.
 */
public final class DirectoryEndpoints {

    /** Page sizes of {@code GET /v1/channels}. */
    static final int DEFAULT_CHANNELS_LIMIT = 20;

    static final int MAX_CHANNELS_LIMIT = 100;

    private final AccountStore accounts;
    private final HistoryReader history;
    private final RateLimiters limits;
    private final JsonExchange io;
    private final ChannelDirectory channels;
    private final SearchCursor cursors;
    private final ReceiptCounts receipts;

    public DirectoryEndpoints(
            AccountStore accounts,
            HistoryReader history,
            RateLimiters limits,
            JsonExchange io,
            ChannelDirectory channels,
            SearchCursor cursors,
            ReceiptCounts receipts) {
        this.accounts = accounts;
        this.history = history;
        this.limits = limits;
        this.io = io;
        this.channels = channels;
        this.cursors = cursors;
        this.receipts = receipts;
    }

    /**
     * {@code GET /v1/conversations/{id}/messages/{seq}/receipts}: {@code {"conversation_id","seq",
     * "delivered","read","partial"}}, how many members other than its sender have had message seq
     * delivered and have read it ({@link ReceiptCounts}). Any conversation type; the one way to see
     * receipts of a channel, whose receipts reach only the reader. Members only ({@code not_member}),
     * 404 {@code not_found} for a seq after the last. Costs a token of the presence bucket, which
     * bounds the other "who has seen what" questions.
     */
    public void receiptCounts(HttpServerExchange exchange, String userId) {
        String id = ConversationEndpoints.conversationId(exchange);
        Long seq = ClientInput.pathSeq(exchange.getAttachment(PathTemplateMatch.ATTACHMENT_KEY)
                .getParameters()
                .get("seq"));
        if (seq == null) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "seq must be an integer from 1 to 2^53");
        }
        limits.acquire(RateLimiters.Action.PRESENCE, userId);
        if (!history.isMember(id, userId)) {
            throw new ApiException(ErrorCode.NOT_MEMBER, "not a member of this conversation");
        }
        if (seq > history.lastSeq(id)) {
            throw new ApiException(ErrorCode.NOT_FOUND, "no message " + seq + " in this conversation");
        }
        HistoryReader.Message message = history.message(id, seq);
        ReceiptCounts.Counts counts = receipts.of(id, seq, message == null ? null : message.sender());
        io.send(
                exchange,
                200,
                io.json()
                        .createObjectNode()
                        .put("conversation_id", id)
                        .put("seq", seq)
                        .put("delivered", counts.delivered())
                        .put("read", counts.read())
                        .put("partial", counts.partial()));
    }

    /**
     * {@code GET /v1/channels?q=&limit=&next=}: public channels whose name has every word of {@code q}
     * as a word prefix (case and accents do not count; no {@code q}: all of them), in name order,
     * {@code {"channels":[{"conversation_id","name","member_count"}],"next":cursor|null}}. The cursor
     * is opaque and signed ({@link SearchCursor}, bound to the query), so a page never repeats or
     * skips a channel of the pages before it. A search costs a token of the caller's search bucket
     * ({@code rate.limit.search.*}), as message searches do. 400 {@code bad_request} for a {@code q}
     * longer than a channel name can be, a {@code limit} outside 1 to {@value #MAX_CHANNELS_LIMIT},
     * or a cursor that is not one of this query's.
     */
    public void channels(HttpServerExchange exchange, String userId) {
        Map<String, Deque<String>> params = exchange.getQueryParameters();
        String q = param(params, "q");
        if (q != null && q.length() > CommandGateway.MAX_CHANNEL_NAME_CHARS) {
            throw new ApiException(
                    ErrorCode.BAD_REQUEST,
                    "q must be at most " + CommandGateway.MAX_CHANNEL_NAME_CHARS
                            + " characters (a channel name's most)");
        }
        int limit = DEFAULT_CHANNELS_LIMIT;
        String limitText = param(params, "limit");
        if (limitText != null) {
            Long parsed = ClientInput.pathSeq(limitText); // digits only, 1 to 2^53
            if (parsed == null || parsed > MAX_CHANNELS_LIMIT) {
                throw new ApiException(
                        ErrorCode.BAD_REQUEST, "limit must be an integer from 1 to " + MAX_CHANNELS_LIMIT);
            }
            limit = parsed.intValue();
        }
        String scope = "channels\n" + ChannelNames.key(q);
        String next = param(params, "next");
        ChannelDirectory.Position from = null;
        if (next != null) {
            ArrayNode position = cursors.decode(scope, next);
            if (position.size() != 2
                    || !position.get(0).isTextual()
                    || !position.get(1).isTextual()) {
                throw new ApiException(ErrorCode.BAD_REQUEST, "invalid cursor");
            }
            from = new ChannelDirectory.Position(
                    position.get(0).asText(), position.get(1).asText());
        }
        limits.acquire(RateLimiters.Action.SEARCH, userId);
        ChannelDirectory.Page page = channels.search(q, limit, from);
        ObjectNode out = io.json().createObjectNode();
        ArrayNode list = out.putArray("channels");
        for (ChannelDirectory.Channel c : page.channels()) {
            ObjectNode item =
                    list.addObject().put("conversation_id", c.conversationId()).put("name", c.name());
            if (c.memberCount() == null) {
                item.putNull("member_count");
            } else {
                item.put("member_count", c.memberCount());
            }
        }
        if (page.next() == null) {
            out.putNull("next");
        } else {
            ArrayNode position = io.json().createArrayNode();
            position.add(page.next().nameKey()).add(page.next().conversationId());
            out.put("next", cursors.encode(scope, position));
        }
        io.send(exchange, 200, out);
    }

    private static String param(Map<String, Deque<String>> params, String name) {
        Deque<String> values = params.get(name);
        return values == null || values.isEmpty() ? null : values.getFirst();
    }

    /** {@code GET /v1/users?username=N}: 200 {@code {"user_id","username","display_name"}} or 404. */
    public void findByUsername(HttpServerExchange exchange, String userId) {
        Deque<String> values = exchange.getQueryParameters().get("username");
        if (values == null || values.isEmpty()) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "username is required");
        }
        String key = Usernames.normalise(values.getFirst())
                .orElseThrow(() -> new ApiException(ErrorCode.BAD_REQUEST, Usernames.rule()));
        limits.acquire(RateLimiters.Action.PRESENCE, userId);
        AccountStore.Account account =
                accounts.findByName(key).orElseThrow(() -> new ApiException(ErrorCode.NOT_FOUND, "no such user"));
        List<AccountStore.Profile> profile = accounts.profiles(List.of(account.userId()));
        io.send(exchange, 200, profileJson(profile.isEmpty() ? null : profile.get(0), account));
    }

    /** {@code GET /v1/conversations/{id}/members}: type, name, admins and members with their names. */
    public void members(HttpServerExchange exchange, String userId) {
        String id = ConversationEndpoints.conversationId(exchange);
        limits.acquire(RateLimiters.Action.READS, userId);
        if (!history.isMember(id, userId)) {
            throw new ApiException(ErrorCode.NOT_MEMBER, "not a member of this conversation");
        }
        HistoryReader.Details details = history.details(id);
        ObjectNode out = io.json()
                .createObjectNode()
                .put("conversation_id", id)
                .put("type", details.type())
                .put("name", details.name());
        ArrayNode admins = out.putArray("admins");
        details.admins().stream().sorted().forEach(admins::add);
        ArrayNode members = out.putArray("members");
        for (AccountStore.Profile p : accounts.profiles(details.members())) {
            HistoryReader.Watermarks marks =
                    details.receipts().getOrDefault(p.userId(), new HistoryReader.Watermarks(0, 0));
            members.addObject()
                    .put("user_id", p.userId())
                    .put("username", p.username())
                    .put("display_name", p.displayName())
                    .put("delivered", marks.delivered())
                    .put("read", marks.read());
        }
        io.send(exchange, 200, out);
    }

    private ObjectNode profileJson(AccountStore.Profile profile, AccountStore.Account account) {
        return io.json()
                .createObjectNode()
                .put("user_id", account.userId())
                .put("username", profile == null ? account.username() : profile.username())
                .put("display_name", account.displayName());
    }
}
