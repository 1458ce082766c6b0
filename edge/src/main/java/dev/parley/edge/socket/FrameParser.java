package dev.parley.edge.socket;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.edge.ApiException;
import dev.parley.edge.ClientInput;
import dev.parley.schema.ConversationIds;
import dev.parley.schema.ErrorCode;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses client frames into {@link ClientFrame}s: shape and types. What a command may carry (body
 * size, media) is checked by the {@code CommandGateway} that HTTP shares. Every failure is an {@link FrameException} carrying the frame
 * id when one could be read, so the error frame can echo it; the socket stays open.
 */
public final class FrameParser {

    private static final int MAX_PRESENCE_USERS = 500;

    private final ObjectMapper json;

    public FrameParser(ObjectMapper json) {
        this.json = json;
    }

    /** A rejected frame: the id it carried (or null) and why. */
    public static final class FrameException extends RuntimeException {
        private final String frameId;
        private final ErrorCode code;

        FrameException(String frameId, ErrorCode code, String message) {
            super(message, null, false, false);
            this.frameId = frameId;
            this.code = code;
        }

        public String frameId() {
            return frameId;
        }

        public ErrorCode code() {
            return code;
        }
    }

    public ClientFrame parse(String text) {
        JsonNode node;
        try {
            node = json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new FrameException(null, ErrorCode.BAD_REQUEST, "malformed JSON");
        }
        if (node == null || !node.isObject()) {
            throw new FrameException(null, ErrorCode.BAD_REQUEST, "a frame is a JSON object");
        }
        String id = optionalText(node, "id", null);
        if (id != null && !ClientInput.isIdentifier(id)) {
            throw new FrameException(
                    null, ErrorCode.BAD_REQUEST, "id must be 1 to 128 characters, none of them control or space");
        }
        String problem = ClientInput.problemIn(node);
        if (problem != null) {
            throw new FrameException(id, ErrorCode.BAD_REQUEST, problem);
        }
        String type = optionalText(node, "type", id);
        if (type == null) {
            throw new FrameException(id, ErrorCode.BAD_REQUEST, "missing type");
        }
        return switch (type) {
            case "send" -> send(node, id);
            case "ack" -> new ClientFrame.Ack(id, conversation(node, id), seq(node, id));
            case "read" -> new ClientFrame.Read(id, conversation(node, id), seq(node, id));
            case "typing" -> typing(node, id);
            case "react" -> react(node, id);
            case "edit" ->
                new ClientFrame.Edit(
                        requireId(id, "edit"), conversation(node, id), seq(node, id), text(node, "body", id));
            case "delete" -> new ClientFrame.Delete(requireId(id, "delete"), conversation(node, id), seq(node, id));
            case "join" -> new ClientFrame.Join(requireId(id, "join"), conversation(node, id));
            case "leave" -> new ClientFrame.Leave(requireId(id, "leave"), conversation(node, id));
            case "presence.subscribe" -> new ClientFrame.PresenceSubscribe(id, users(node, id));
            case "ping" -> new ClientFrame.Ping(id);
            default -> throw new FrameException(id, ErrorCode.BAD_REQUEST, "unknown type " + abbreviate(type));
        };
    }

    private ClientFrame send(JsonNode node, String id) {
        if (id == null) {
            throw new FrameException(null, ErrorCode.BAD_REQUEST, "send needs an id (it makes retries safe)");
        }
        String conversation = conversation(node, id);
        String body = optionalText(node, "body", id);
        List<String> media = new ArrayList<>();
        JsonNode mediaNode = node.get("media");
        if (mediaNode != null && !mediaNode.isNull()) {
            if (!mediaNode.isArray()) {
                throw new FrameException(id, ErrorCode.BAD_REQUEST, "media must be an array of ids");
            }
            mediaNode.forEach(m -> {
                if (!m.isTextual() || !ClientInput.isIdentifier(m.asText())) {
                    throw new FrameException(id, ErrorCode.BAD_REQUEST, "media must be an array of ids");
                }
                media.add(m.asText());
            });
        }
        Long replyTo = null;
        JsonNode reply = node.get("reply_to");
        if (reply != null && !reply.isNull()) {
            replyTo = ClientInput.seq(reply);
            if (replyTo == null) {
                throw new FrameException(
                        id, ErrorCode.BAD_REQUEST, "reply_to must be a seq, an integer from 1 to 2^53");
            }
        }
        return new ClientFrame.Send(id, conversation, body == null ? "" : body, media, replyTo);
    }

    private static String requireId(String id, String type) {
        if (id == null) {
            throw new FrameException(null, ErrorCode.BAD_REQUEST, type + " needs an id (it makes retries safe)");
        }
        return id;
    }

    private static String text(JsonNode node, String field, String id) {
        String value = optionalText(node, field, id);
        return value == null ? "" : value;
    }

    private ClientFrame typing(JsonNode node, String id) {
        String conversation = conversation(node, id);
        String state = optionalText(node, "state", id);
        if (!"start".equals(state) && !"stop".equals(state)) {
            throw new FrameException(id, ErrorCode.BAD_REQUEST, "state must be start or stop");
        }
        return new ClientFrame.Typing(id, conversation, "start".equals(state));
    }

    private ClientFrame react(JsonNode node, String id) {
        String conversation = conversation(node, id);
        long seq = seq(node, id);
        String emoji = optionalText(node, "emoji", id);
        if (emoji == null || emoji.isBlank()) {
            throw new FrameException(id, ErrorCode.BAD_REQUEST, "missing emoji");
        }
        String op = optionalText(node, "op", id);
        if (!"add".equals(op) && !"remove".equals(op)) {
            throw new FrameException(id, ErrorCode.BAD_REQUEST, "op must be add or remove");
        }
        return new ClientFrame.React(id, conversation, seq, emoji, "add".equals(op));
    }

    private static List<String> users(JsonNode node, String id) {
        JsonNode users = node.get("users");
        if (users == null || !users.isArray() || users.size() > MAX_PRESENCE_USERS) {
            throw new FrameException(id, ErrorCode.BAD_REQUEST, "users must be an array of at most 500 ids");
        }
        List<String> out = new ArrayList<>();
        users.forEach(u -> {
            if (!u.isTextual() || !ClientInput.isIdentifier(u.asText())) {
                throw new FrameException(id, ErrorCode.BAD_REQUEST, "users must be an array of ids");
            }
            out.add(u.asText());
        });
        return out;
    }

    private static String conversation(JsonNode node, String id) {
        String conversation = optionalText(node, "conversation_id", id);
        if (conversation == null) {
            throw new FrameException(id, ErrorCode.BAD_REQUEST, "missing conversation_id");
        }
        if (!ConversationIds.isValid(conversation)) {
            throw new FrameException(id, ErrorCode.BAD_REQUEST, "invalid conversation_id");
        }
        return conversation;
    }

    private static long seq(JsonNode node, String id) {
        Long seq = ClientInput.seq(node.get("seq"));
        if (seq == null) {
            throw new FrameException(id, ErrorCode.BAD_REQUEST, "seq must be an integer from 1 to 2^53");
        }
        return seq;
    }

    private static String optionalText(JsonNode node, String field, String id) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new FrameException(id, ErrorCode.BAD_REQUEST, field + " must be a string");
        }
        return value.asText();
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }

    /** Thrown by callers that reject a frame after parsing. */
    public static FrameException reject(String frameId, ApiException e) {
        return new FrameException(frameId, e.code(), e.getMessage());
    }
}
