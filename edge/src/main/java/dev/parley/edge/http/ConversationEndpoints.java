package dev.parley.edge.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.edge.ApiException;
import dev.parley.edge.ClientInput;
import dev.parley.edge.auth.AccountStore;
import dev.parley.edge.auth.Principal;
import dev.parley.edge.messaging.CommandGateway;
import dev.parley.edge.socket.ServerFrames;
import dev.parley.schema.AddMembers;
import dev.parley.schema.CommandAccepted;
import dev.parley.schema.CommandLogContext;
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
import dev.parley.schema.SetRetention;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.PathTemplateMatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.slf4j.MDC;

/**
 * Conversation commands over HTTP: the same pipeline as the socket. Each request produces its
 * command with the request as origin and is answered, through {@link AsyncCommands} and without a
 * thread waiting, once the topology's answer arrives on this edge's delivery topic (up to {@code
 * http.send.timeout.ms}). No answer in time is 503 {@code unavailable}: the command may still be
 * applied, and a retry with the same id is safe. Commands are built and checked by the {@link
 * CommandGateway} the socket uses too.
 */
public final class ConversationEndpoints {

    private final CommandGateway commands;
    private final AsyncCommands replies;
    private final AccountStore accounts;
    private final ServerFrames frames;
    private final JsonExchange io;

    public ConversationEndpoints(
            CommandGateway commands,
            AsyncCommands replies,
            AccountStore accounts,
            ServerFrames frames,
            JsonExchange io) {
        this.commands = commands;
        this.replies = replies;
        this.accounts = accounts;
        this.frames = frames;
        this.io = io;
    }

    /**
     * {@code POST /v1/conversations}: 201 with the new conversation; 200 for an existing direct one,
     * and for a group or channel whose create named an {@code id} this user already created with
     * (the id derives the conversation's, {@link ConversationIds#group}), so a create retried after
     * a 503 or a lost answer returns the first conversation instead of making a second. The 200
     * has the 201's body as the conversation is now: name, members and admins (a channel: name,
     * visibility and posting).
     */
    public void create(HttpServerExchange exchange, String userId) throws Exception {
        JsonNode body = io.readObject(exchange);
        String type = JsonExchange.requiredText(body, "type").toLowerCase(Locale.ROOT);
        String createId = JsonExchange.optionalId(body, "id");
        // a channel starts with its creator alone: members join or are invited later
        List<String> members = type.equals("channel") && !body.hasNonNull("members")
                ? new ArrayList<>()
                : JsonExchange.distinctIdArray(body, "members");
        members.remove(userId);
        String conversationId;
        CreateConversation create;
        if (type.equals("direct")) {
            if (members.size() != 1) {
                throw new ApiException(ErrorCode.BAD_REQUEST, "a direct conversation has exactly one other member");
            }
            conversationId = ConversationIds.direct(userId, members.get(0));
            create = new CreateConversation(ConversationType.DIRECT, null, members, null, null);
        } else if (type.equals("channel")) {
            conversationId =
                    createId == null ? ConversationIds.newChannel() : ConversationIds.channel(userId, createId);
            create = commands.channel(
                    JsonExchange.optionalName(body, "name"),
                    lowerCase(JsonExchange.optionalText(body, "visibility")),
                    lowerCase(JsonExchange.optionalText(body, "posting")),
                    members);
        } else if (type.equals("group")) {
            conversationId = createId == null ? ConversationIds.newGroup() : ConversationIds.group(userId, createId);
            create = new CreateConversation(
                    ConversationType.GROUP, JsonExchange.optionalName(body, "name"), members, null, null);
        } else {
            throw new ApiException(ErrorCode.BAD_REQUEST, "type must be direct, group or channel");
        }
        // the shape is checked; the token before the lookups: up to 1,024 reads are not free for a
        // user over the limit
        CommandGateway.Admission admitted = commands.admitCommand(userId);
        for (String member : members) {
            if (!accounts.exists(member)) {
                throw new ApiException(ErrorCode.NOT_FOUND, "no such user: " + member);
            }
        }
        boolean isChannel = type.equals("channel");
        replies.answer(exchange, submit(admitted, conversationId, "create", create), answer -> {
            if (answer.getPayload() instanceof ConversationEvent event
                    && event.getPayload() instanceof ConversationCreated created) {
                io.send(exchange, 201, conversationJson(conversationId, type, created, true));
            } else if (answer.getPayload() instanceof CommandAccepted ack && ack.getConversation() != null) {
                // an existing direct conversation, or this user's group or channel of the same create
                // id: the repeat is answered with the conversation as it is now (v7); a channel's
                // members are not listed (GET .../members)
                io.send(exchange, 200, conversationJson(conversationId, type, ack.getConversation(), !isChannel));
            } else {
                // the ack of a topology older than v7, during a rolling upgrade: the id alone
                ObjectNode out = io.json()
                        .createObjectNode()
                        .put("conversation_id", conversationId)
                        .put("type", type);
                if (type.equals("direct")) {
                    out.set("members", io.json().valueToTree(List.of(userId, members.get(0))));
                }
                io.send(exchange, 200, out);
            }
        });
    }

    /** The body of a create's answer: {@code members} and {@code admins} when {@code withMembers}. */
    private ObjectNode conversationJson(
            String conversationId, String type, ConversationCreated created, boolean withMembers) {
        ObjectNode out = io.json()
                .createObjectNode()
                .put("conversation_id", conversationId)
                .put("type", type)
                .put("name", created.getName());
        if (withMembers) {
            out.set("members", io.json().valueToTree(created.getMembers()));
            out.set("admins", io.json().valueToTree(created.getAdmins()));
        }
        if (created.getVisibility() != null) {
            out.put("visibility", created.getVisibility().name().toLowerCase(Locale.ROOT));
            out.put("posting", created.getPosting().name().toLowerCase(Locale.ROOT));
        }
        return out;
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
        Long replyTo = null;
        JsonNode reply = body.get("reply_to");
        if (reply != null && !reply.isNull()) {
            replyTo = dev.parley.edge.ClientInput.seq(reply); // the socket's rule (FrameParser)
            if (replyTo == null) {
                throw new ApiException(ErrorCode.BAD_REQUEST, "reply_to must be a seq, an integer from 1 to 2^53");
            }
        }
        // the shape first, then the token, then what the message names (its media, its mentions)
        commands.checkMessage(text, media, replyTo);
        CommandGateway.Admission admitted = commands.admitCommand(userId);
        SendMessage message = commands.message(admitted, clientId, text, media, replyTo, senderName);
        replies.answer(exchange, submit(admitted, conversationId, clientId, message), answer -> {
            if (answer.getPayload() instanceof ConversationEvent event
                    && event.getPayload() instanceof MessagePosted p) {
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
        });
    }

    /**
     * {@code PATCH /v1/conversations/{id}/messages/{seq} {"id","body"}}: 200 {@code ok} with the
     * conversation's version after the edit; a retry with the same id gets the same answer.
     */
    public void edit(HttpServerExchange exchange, String userId) throws Exception {
        String conversationId = conversationId(exchange);
        long seq = seq(exchange);
        JsonNode body = io.readObject(exchange);
        String clientId = JsonExchange.requiredId(body, "id");
        String text = JsonExchange.requiredText(body, "body");
        answerOk(exchange, conversationId, userId, clientId, commands.edit(clientId, seq, text));
    }

    /**
     * {@code DELETE /v1/conversations/{id}/messages/{seq}[?id=C]}: delete for everyone. The client id
     * comes as a query parameter (a DELETE has no body); without one the edge makes one up, and a
     * retry of that request answers {@code gone}.
     */
    public void deleteMessage(HttpServerExchange exchange, String userId) throws Exception {
        String conversationId = conversationId(exchange);
        long seq = seq(exchange);
        java.util.Deque<String> ids = exchange.getQueryParameters().get("id");
        String clientId = ids == null || ids.isEmpty() ? "http-" + java.util.UUID.randomUUID() : ids.getFirst();
        if (!ClientInput.isIdentifier(clientId)) {
            throw new ApiException(
                    ErrorCode.BAD_REQUEST, "id must be 1 to 128 characters, none of them control or space");
        }
        answerOk(exchange, conversationId, userId, clientId, commands.delete(clientId, seq));
    }

    /**
     * {@code PUT /v1/conversations/{id} {"retention_seconds":N|null}}: disappearing messages for
     * messages posted from now on (group admins; either member of a direct conversation).
     */
    public void update(HttpServerExchange exchange, String userId) throws Exception {
        String conversationId = conversationId(exchange);
        JsonNode body = io.readObject(exchange);
        if (!body.has("retention_seconds")) {
            throw new ApiException(
                    ErrorCode.BAD_REQUEST, "retention_seconds is required (a number of seconds or null)");
        }
        JsonNode value = body.get("retention_seconds");
        Long seconds;
        if (value.isNull()) {
            seconds = null;
        } else if (value.isIntegralNumber() && value.canConvertToLong()) {
            seconds = value.longValue();
        } else {
            throw new ApiException(
                    ErrorCode.BAD_REQUEST, "retention_seconds must be an integer number of seconds or null");
        }
        String clientId = "retention-" + java.util.UUID.randomUUID();
        SetRetention retention = commands.retention(seconds); // a negative one is 400, not a token
        replies.answer(exchange, submit(commands.admitCommand(userId), conversationId, clientId, retention), answer -> {
            ObjectNode out = okBody(conversationId, null, answer);
            if (seconds == null) {
                out.putNull("retention_seconds");
            } else {
                out.put("retention_seconds", seconds);
            }
            io.send(exchange, 200, out);
        });
    }

    /** Publishes {@code payload} and answers 200 {@code ok} with the conversation's version once applied. */
    private void answerOk(
            HttpServerExchange exchange, String conversationId, String userId, String clientId, Object payload) {
        replies.answer(
                exchange,
                submit(commands.admitCommand(userId), conversationId, clientId, payload),
                answer -> io.send(exchange, 200, okBody(conversationId, clientId, answer)));
    }

    private ObjectNode okBody(String conversationId, String clientId, Delivery answer) {
        if (answer.getPayload() instanceof ConversationEvent event) {
            return frames.ok(clientId, conversationId, event.getVersion());
        } else if (answer.getPayload() instanceof CommandAccepted ack) {
            return frames.accepted(clientId, conversationId, ack);
        }
        throw new ApiException(ErrorCode.INTERNAL, "unexpected answer");
    }

    private static long seq(HttpServerExchange exchange) {
        Long seq = dev.parley.edge.ClientInput.pathSeq(pathParameter(exchange, "seq"));
        if (seq == null) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "seq must be an integer from 1 to 2^53");
        }
        return seq;
    }

    /** {@code POST /v1/conversations/{id}/members {"members":[...]}} */
    public void addMembers(HttpServerExchange exchange, String userId) throws Exception {
        String conversationId = conversationId(exchange);
        List<String> members = JsonExchange.distinctIdArray(io.readObject(exchange), "members");
        CommandGateway.Admission admitted = commands.admitCommand(userId);
        for (String member : members) {
            if (!accounts.exists(member)) {
                throw new ApiException(ErrorCode.NOT_FOUND, "no such user: " + member);
            }
        }
        replies.answer(
                exchange,
                submit(admitted, conversationId, "add-members", new AddMembers(members)),
                answer -> io.send(exchange, 200, frames.ok(null, conversationId)));
    }

    /** {@code DELETE /v1/conversations/{id}/members/{user}}: removing oneself is leaving. */
    public void removeMember(HttpServerExchange exchange, String userId) throws Exception {
        String conversationId = conversationId(exchange);
        String member = pathParameter(exchange, "user");
        if (!ClientInput.isIdentifier(member)) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "invalid user id");
        }
        replies.answer(
                exchange,
                submit(commands.admitCommand(userId), conversationId, "remove-member", new RemoveMember(member)),
                answer -> io.send(exchange, 200, frames.ok(null, conversationId)));
    }

    /** {@code POST /v1/conversations/{id}/join}: a public channel; 200 {@code ok} (also when already a member). */
    public void join(HttpServerExchange exchange, String userId) throws Exception {
        String conversationId = conversationId(exchange);
        replies.answer(
                exchange,
                submit(commands.admitCommand(userId), conversationId, "join", commands.join()),
                answer -> io.send(exchange, 200, frames.ok(null, conversationId)));
    }

    /** {@code POST /v1/conversations/{id}/leave}: 200 {@code ok}; the last admin of a channel cannot leave. */
    public void leave(HttpServerExchange exchange, String userId) throws Exception {
        String conversationId = conversationId(exchange);
        replies.answer(
                exchange,
                submit(commands.admitCommand(userId), conversationId, "leave", commands.leave(userId)),
                answer -> io.send(exchange, 200, frames.ok(null, conversationId)));
    }

    private static String lowerCase(String value) {
        return value == null ? null : value.toLowerCase(Locale.ROOT);
    }

    /**
     * The gateway call producing {@code payload} on {@code admitted}'s token, addressed to the request
     * id it is given.
     */
    private Function<String, CompletableFuture<Void>> submit(
            CommandGateway.Admission admitted, String conversationId, String clientId, Object payload) {
        // the request's log lines from here on, its answer's too, carry the command's ids
        MDC.put(CommandLogContext.CONVERSATION_ID, conversationId);
        MDC.put(CommandLogContext.COMMAND_ID, clientId);
        return requestId -> commands.submit(admitted, conversationId, requestId, clientId, payload);
    }

    /** The {@code {id}} of the request's path, checked: 400 for an id no conversation can have. */
    static String conversationId(HttpServerExchange exchange) {
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
