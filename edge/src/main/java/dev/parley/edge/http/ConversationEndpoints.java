package dev.parley.edge.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.edge.ApiException;
import dev.parley.edge.auth.AccountStore;
import dev.parley.edge.auth.Principal;
import dev.parley.edge.messaging.CommandGateway;
import dev.parley.edge.messaging.PendingReplies;
import dev.parley.edge.socket.ServerFrames;
import dev.parley.schema.AddMembers;
import dev.parley.schema.CommandAccepted;
import dev.parley.schema.CommandRejected;
import dev.parley.schema.ConversationCreated;
import dev.parley.schema.ConversationEvent;
import dev.parley.schema.ConversationIds;
import dev.parley.schema.ConversationType;
import dev.parley.schema.CreateConversation;
import dev.parley.schema.Delivery;
import dev.parley.schema.ErrorCode;
import dev.parley.schema.MessagePosted;
import dev.parley.schema.RemoveMember;
import dev.parley.schema.SendMessage;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.PathTemplateMatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * Conversation commands over HTTP: the same pipeline as the socket. Each request produces its
 * command with the request as origin and waits (up to {@code http.send.timeout.ms}) for the
 * topology's answer on this edge's delivery topic. No answer in time is 503 {@code unavailable}: the
 * command may still be applied, and a retry with the same id is safe. Commands are built and checked
 * by the {@link CommandGateway} the socket uses too.
 */
public final class ConversationEndpoints {

    private final CommandGateway commands;
    private final PendingReplies pending;
    private final AccountStore accounts;
    private final ServerFrames frames;
    private final JsonExchange io;
    private final Duration timeout;

    public ConversationEndpoints(
            CommandGateway commands,
            PendingReplies pending,
            AccountStore accounts,
            ServerFrames frames,
            JsonExchange io,
            Duration timeout) {
        this.commands = commands;
        this.pending = pending;
        this.accounts = accounts;
        this.frames = frames;
        this.io = io;
        this.timeout = timeout;
    }

    /** {@code POST /v1/conversations}: 201 with the new conversation, 200 for an existing direct one. */
    public void create(HttpServerExchange exchange, String userId) throws Exception {
        JsonNode body = io.readObject(exchange);
        String type = JsonExchange.requiredText(body, "type").toLowerCase(Locale.ROOT);
        List<String> members = new ArrayList<>(new LinkedHashSet<>(JsonExchange.idArray(body, "members")));
        members.remove(userId);
        for (String member : members) {
            if (!accounts.exists(member)) {
                throw new ApiException(ErrorCode.NOT_FOUND, "no such user: " + member);
            }
        }
        String conversationId;
        CreateConversation create;
        if (type.equals("direct")) {
            if (members.size() != 1) {
                throw new ApiException(ErrorCode.BAD_REQUEST, "a direct conversation has exactly one other member");
            }
            conversationId = ConversationIds.direct(userId, members.get(0));
            create = new CreateConversation(ConversationType.DIRECT, null, members);
        } else if (type.equals("group")) {
            conversationId = ConversationIds.newGroup();
            create = new CreateConversation(ConversationType.GROUP, JsonExchange.optionalName(body, "name"), members);
        } else {
            throw new ApiException(ErrorCode.BAD_REQUEST, "type must be direct or group");
        }
        Delivery answer = request(conversationId, userId, "create", create);
        if (answer.getPayload() instanceof ConversationEvent event
                && event.getPayload() instanceof ConversationCreated created) {
            ObjectNode out = io.json()
                    .createObjectNode()
                    .put("conversation_id", conversationId)
                    .put("type", type)
                    .put("name", created.getName());
            out.set("members", io.json().valueToTree(created.getMembers()));
            out.set("admins", io.json().valueToTree(created.getAdmins()));
            io.send(exchange, 201, out);
        } else {
            // an existing direct conversation: creating it again returns it
            ObjectNode out = io.json()
                    .createObjectNode()
                    .put("conversation_id", conversationId)
                    .put("type", type);
            out.set("members", io.json().valueToTree(List.of(userId, members.get(0))));
            io.send(exchange, 200, out);
        }
    }

    /** {@code POST /v1/conversations/{id}/messages {"id","body"}}: the {@code sent} body once sequenced. */
    public void send(HttpServerExchange exchange, String userId) throws Exception {
        String conversationId = conversationId(exchange);
        JsonNode body = io.readObject(exchange);
        String clientId = JsonExchange.requiredId(body, "id");
        List<String> media = body.hasNonNull("media") ? JsonExchange.idArray(body, "media") : List.of();
        // a message of media alone needs no body
        String text =
                media.isEmpty() ? JsonExchange.requiredText(body, "body") : JsonExchange.optionalText(body, "body");
        Principal principal = exchange.getAttachment(ApiHandler.PRINCIPAL);
        String senderName = principal == null ? null : principal.displayName();
        SendMessage message = commands.message(userId, clientId, text, media, null, senderName);
        Delivery answer = request(conversationId, userId, clientId, message);
        if (answer.getPayload() instanceof ConversationEvent event && event.getPayload() instanceof MessagePosted p) {
            io.send(
                    exchange,
                    200,
                    frames.sent(
                            clientId,
                            conversationId,
                            event.getSeq(),
                            p.getMessageId(),
                            event.getTs().toEpochMilli(),
                            false));
        } else if (answer.getPayload() instanceof CommandAccepted ack) {
            io.send(exchange, 200, frames.accepted(clientId, conversationId, ack));
        } else {
            throw new ApiException(ErrorCode.INTERNAL, "unexpected answer");
        }
    }

    /** {@code POST /v1/conversations/{id}/members {"members":[...]}} */
    public void addMembers(HttpServerExchange exchange, String userId) throws Exception {
        String conversationId = conversationId(exchange);
        List<String> members = JsonExchange.idArray(io.readObject(exchange), "members");
        for (String member : members) {
            if (!accounts.exists(member)) {
                throw new ApiException(ErrorCode.NOT_FOUND, "no such user: " + member);
            }
        }
        request(conversationId, userId, "add-members", new AddMembers(members));
        io.send(exchange, 200, frames.ok(null, conversationId));
    }

    /** {@code DELETE /v1/conversations/{id}/members/{user}}: removing oneself is leaving. */
    public void removeMember(HttpServerExchange exchange, String userId) throws Exception {
        String conversationId = conversationId(exchange);
        String member = pathParameter(exchange, "user");
        request(conversationId, userId, "remove-member", new RemoveMember(member));
        io.send(exchange, 200, frames.ok(null, conversationId));
    }

    private Delivery request(String conversationId, String userId, String clientId, Object payload)
            throws InterruptedException {
        PendingReplies.Pending wait = pending.register(timeout);
        try {
            commands.submit(conversationId, userId, wait.requestId(), clientId, payload)
                    .get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            Delivery answer = wait.answer().get();
            if (answer.getPayload() instanceof CommandRejected rejected) {
                throw new ApiException(ErrorCode.fromWire(rejected.getCode()), rejected.getMessage());
            }
            return answer;
        } catch (ApiException e) {
            wait.answer().cancel(false); // refused before producing: nothing will answer
            throw e;
        } catch (ExecutionException | TimeoutException e) {
            throw new ApiException(
                    ErrorCode.UNAVAILABLE, "no answer within " + timeout.toMillis() + " ms; retry with the same id");
        }
    }

    private static String conversationId(HttpServerExchange exchange) {
        String id = pathParameter(exchange, "id");
        if (!ConversationIds.isValid(id)) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "invalid conversation id");
        }
        return id;
    }

    private static String pathParameter(HttpServerExchange exchange, String name) {
        PathTemplateMatch match = exchange.getAttachment(PathTemplateMatch.ATTACHMENT_KEY);
        return match.getParameters().get(name);
    }
}
