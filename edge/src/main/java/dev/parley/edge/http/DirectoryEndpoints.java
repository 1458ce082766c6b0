package dev.parley.edge.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.edge.ApiException;
import dev.parley.edge.auth.AccountStore;
import dev.parley.edge.auth.Usernames;
import dev.parley.edge.history.HistoryReader;
import dev.parley.edge.presence.RateLimiters;
import dev.parley.schema.ErrorCode;
import io.undertow.server.HttpServerExchange;
import java.util.Deque;
import java.util.List;

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

    private final AccountStore accounts;
    private final HistoryReader history;
    private final RateLimiters limits;
    private final JsonExchange io;

    public DirectoryEndpoints(AccountStore accounts, HistoryReader history, RateLimiters limits, JsonExchange io) {
        this.accounts = accounts;
        this.history = history;
        this.limits = limits;
        this.io = io;
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
