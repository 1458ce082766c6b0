package dev.parley.edge.socket;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.schema.CommandAccepted;
import dev.parley.schema.ConversationCreated;
import dev.parley.schema.ConversationEvent;
import dev.parley.schema.ConversationUpdated;
import dev.parley.schema.ErrorCode;
import dev.parley.schema.MediaDescriptors;
import dev.parley.schema.MembersChanged;
import dev.parley.schema.MessageDeleted;
import dev.parley.schema.MessageEdited;
import dev.parley.schema.MessagePosted;
import dev.parley.schema.ReactionChanged;
import dev.parley.schema.ReceiptAdvanced;
import dev.parley.schema.RetentionChanged;
import dev.parley.schema.TypingSignal;
import dev.parley.schema.TypingState;
import java.util.List;
import java.util.Locale;

/**
 * Server frames of protocol v1. Message ids are 63-bit numbers, beyond JavaScript's exact integer
 * range, so they travel as decimal strings.
 */
public final class ServerFrames {

    private final ObjectMapper json;

    public ServerFrames(ObjectMapper json) {
        this.json = json;
    }

    /**
     * The frame recipients see for an event, or null for events that have none. Every one carries
     * the conversation's change counter as {@code version} (v5).
     */
    public ObjectNode forEvent(ConversationEvent event) {
        ObjectNode f = frameFor(event);
        if (f != null) {
            f.put("version", event.getVersion());
        }
        return f;
    }

    private ObjectNode frameFor(ConversationEvent event) {
        Object payload = event.getPayload();
        if (payload instanceof MessagePosted posted) {
            return message(event, posted);
        } else if (payload instanceof ReceiptAdvanced r) {
            return frame("receipt", event.getConversationId())
                    .put("user", r.getUserId())
                    .put("delivered", r.getDelivered())
                    .put("read", r.getRead());
        } else if (payload instanceof ReactionChanged r) {
            return frame("reaction", event.getConversationId())
                    .put("seq", r.getTargetSeq())
                    .put("user", r.getUserId())
                    .put("emoji", r.getEmoji())
                    .put("op", r.getOp().name().toLowerCase(Locale.ROOT));
        } else if (payload instanceof ConversationCreated c) {
            ObjectNode f = member(event, "created")
                    .put("conversation_type", c.getType().name().toLowerCase(Locale.ROOT));
            f.put("name", c.getName());
            f.set("members", strings(c.getMembers()));
            f.set("admins", strings(c.getAdmins()));
            return f;
        } else if (payload instanceof MembersChanged m) {
            ObjectNode f = member(event, "changed");
            f.set("added", strings(m.getAdded()));
            f.set("removed", strings(m.getRemoved()));
            f.put("member_count", m.getMemberCount());
            f.set("admins", strings(m.getAdmins()));
            return f;
        } else if (payload instanceof ConversationUpdated u) {
            ObjectNode f = member(event, "updated");
            f.put("name", u.getName());
            f.set("admins", strings(u.getAdmins()));
            return f;
        } else if (payload instanceof MessageEdited e) {
            return frame("message.edited", event.getConversationId())
                    .put("seq", e.getTargetSeq())
                    .put("body", e.getBody())
                    .put("edited_at", event.getTs().toEpochMilli())
                    .put("actor", event.getActor());
        } else if (payload instanceof MessageDeleted d) {
            return frame("message.deleted", event.getConversationId())
                    .put("seq", d.getTargetSeq())
                    .put("deleted", true)
                    .put("actor", event.getActor());
        } else if (payload instanceof RetentionChanged r) {
            ObjectNode f = member(event, "retention");
            f.put("retention_seconds", r.getRetentionSeconds());
            return f;
        }
        return null;
    }

    public ObjectNode message(ConversationEvent event, MessagePosted posted) {
        ObjectNode f = frame("message", event.getConversationId())
                .put("seq", event.getSeq())
                .put("message_id", Long.toString(posted.getMessageId()))
                .put("sender", event.getActor())
                .put("body", posted.getBody())
                .put("ts", event.getTs().toEpochMilli());
        f.set(
                "media",
                media(
                        posted.getMedia(),
                        posted.getAttachments().stream()
                                .map(MediaDescriptors::toJson)
                                .toList()));
        if (posted.getReplyTo() != null) {
            f.put("reply_to", posted.getReplyTo());
        }
        if (!posted.getMentions().isEmpty()) {
            // the mentioned members' ids (v6): a client highlights them and its own
            ArrayNode mentions = f.putArray("mentions");
            posted.getMentions().forEach(mentions::add);
        }
        if (posted.getRetentionSeconds() != null) {
            // disappearing messages: the client drops it then (history no longer has it either)
            f.put("expires_at", event.getTs().toEpochMilli() + posted.getRetentionSeconds() * 1000);
        }
        return f;
    }

    /**
     * The {@code media} of a message frame or history entry: the descriptors (DESIGN 7.1), so a
     * client renders a thumbnail without another request. An id without a descriptor (none exist:
     * media ids were refused before schema v4) is given as {@code {"media_id"}} alone.
     */
    public static ArrayNode media(List<String> ids, List<? extends JsonNode> descriptors) {
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        for (int i = 0; i < ids.size(); i++) {
            if (i < descriptors.size()) {
                out.add(descriptors.get(i));
            } else {
                out.addObject().put("media_id", ids.get(i));
            }
        }
        return out;
    }

    /** The early (tentative) message at seq is the one committed (early delivery, README). */
    public ObjectNode confirmed(String conversationId, long seq, String messageId) {
        return frame("confirmed", conversationId).put("seq", seq).put("message_id", messageId);
    }

    /**
     * The early message at seq was not committed (its transaction aborted): drop it. A replay that
     * accepts it delivers it again as a committed {@code message}, possibly at another seq.
     */
    public ObjectNode retracted(String conversationId, long seq, String messageId) {
        return frame("retracted", conversationId).put("seq", seq).put("message_id", messageId);
    }

    public ObjectNode sent(
            String clientId, String conversationId, long seq, long messageId, long ts, boolean duplicate) {
        ObjectNode f = frame("sent", conversationId);
        f.put("id", clientId);
        f.put("seq", seq).put("message_id", Long.toString(messageId)).put("ts", ts);
        if (duplicate) {
            f.put("duplicate", true);
        }
        return f;
    }

    /** The answer to an accepted command that is not a send (an addition to DESIGN section 5). */
    public ObjectNode ok(String clientId, String conversationId) {
        ObjectNode f = frame("ok", conversationId);
        f.put("id", clientId);
        return f;
    }

    /** {@code ok} with the conversation's change counter after the command (v5). */
    public ObjectNode ok(String clientId, String conversationId, long version) {
        return ok(clientId, conversationId).put("version", version);
    }

    public ObjectNode accepted(String clientId, String conversationId, CommandAccepted ack) {
        return ack.getMessageId() == null
                ? ok(clientId, conversationId, ack.getVersion())
                : sent(
                        clientId,
                        conversationId,
                        ack.getSeq(),
                        ack.getMessageId(),
                        ack.getTs().toEpochMilli(),
                        ack.getDuplicate());
    }

    public ObjectNode typing(String conversationId, TypingSignal signal) {
        return frame("typing", conversationId)
                .put("user", signal.getUserId())
                .put("state", signal.getState() == TypingState.START ? "start" : "stop");
    }

    public ObjectNode presence(String user, boolean online, Long lastSeen) {
        ObjectNode f = json.createObjectNode().put("type", "presence").put("user", user);
        f.put("status", online ? "online" : "offline");
        if (lastSeen != null) {
            f.put("last_seen", lastSeen);
        }
        return f;
    }

    public ObjectNode error(String clientId, ErrorCode code, String message) {
        ObjectNode f = json.createObjectNode().put("type", "error");
        if (clientId != null) {
            f.put("id", clientId);
        }
        return f.put("code", code.wire()).put("message", message);
    }

    public ObjectNode error(String clientId, String code, String message) {
        ObjectNode f = json.createObjectNode().put("type", "error");
        if (clientId != null) {
            f.put("id", clientId);
        }
        return f.put("code", code).put("message", message);
    }

    public ObjectNode pong(String clientId) {
        ObjectNode f = json.createObjectNode().put("type", "pong");
        if (clientId != null) {
            f.put("id", clientId);
        }
        return f;
    }

    /**
     * Live delivery may have missed frames (Redis was down, so routing fell back or sessions were
     * unknown): the client should fetch each conversation's history after the last seq it holds.
     */
    public ObjectNode resync(String reason) {
        return json.createObjectNode().put("type", "resync").put("reason", reason);
    }

    private ObjectNode member(ConversationEvent event, String change) {
        return frame("member", event.getConversationId()).put("change", change).put("actor", event.getActor());
    }

    private ObjectNode frame(String type, String conversationId) {
        return json.createObjectNode().put("type", type).put("conversation_id", conversationId);
    }

    private ArrayNode strings(List<String> values) {
        ArrayNode array = json.createArrayNode();
        values.forEach(array::add);
        return array;
    }
}
