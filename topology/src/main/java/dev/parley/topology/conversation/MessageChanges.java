package dev.parley.topology.conversation;

import dev.parley.schema.DeleteMessage;
import dev.parley.schema.EditMessage;
import dev.parley.schema.ErrorCode;
import dev.parley.schema.MessageDeleted;
import dev.parley.schema.MessageEdited;
import dev.parley.topology.TopologyConfig;
import dev.parley.topology.store.ConversationMeta;
import dev.parley.topology.store.DedupEntry;
import dev.parley.topology.store.MessageState;

/**
 * Edit and delete-for-everyone of an earlier message. Neither takes a message seq (seq stays dense:
 * the event carries the conversation's last seq and the target in {@code target_seq}); each moves
 * the conversation's change counter by one. A retry with the same client id within the dedup window
 * gets the original answer and produces nothing.
 *
 * <p>What a rule needs to know of the target comes from two point reads: the message index (sender
 * and time, kept for the longer of the two windows) and the deleted set. Past the index, nobody may
 * edit (the edit window is shorter than the index) and only admins may delete.
 */
final class MessageChanges {

    static final String EDIT = "edit";
    static final String DELETE = "delete";

    private static final int MAX_CLIENT_MSG_ID_CHARS = 128;

    private final ConversationState state;
    private final TopologyConfig config;

    MessageChanges(ConversationState state, TopologyConfig config) {
        this.state = state;
        this.config = config;
    }

    Outcome edit(CommandInput in, EditMessage edit) {
        Outcome refused = common(in, EDIT, edit.getClientMsgId(), edit.getSeq());
        if (refused != null) {
            return refused;
        }
        String id = in.conversationId();
        MessageState target = state.indexedMessage(id, edit.getSeq(), in.streamTime());
        if (target != null && !target.getSender().equals(in.sender())) {
            return new Outcome.Rejected(ErrorCode.FORBIDDEN, "only its sender may edit a message");
        }
        if (target == null
                || in.timestamp() - target.getTs() > config.editWindow().toMillis()) {
            return new Outcome.Rejected(
                    ErrorCode.EDIT_WINDOW_CLOSED,
                    "a message can be edited for " + config.editWindow().toMinutes() + " minutes after it was sent");
        }
        Outcome invalid = MessageSequencer.checkBody(edit.getBody(), config.maxBodyBytes());
        if (invalid != null) {
            return invalid;
        }
        long lastSeq = state.lastSeq(id);
        remember(in, EDIT, edit.getClientMsgId(), edit.getSeq());
        return Outcome.Published.toMembers(
                state.meta(id),
                in.event(
                        lastSeq, new MessageEdited(edit.getSeq(), edit.getBody(), ConversationState.expiresAt(target))),
                false);
    }

    Outcome delete(CommandInput in, DeleteMessage delete) {
        Outcome refused = common(in, DELETE, delete.getClientMsgId(), delete.getSeq());
        if (refused != null) {
            return refused;
        }
        String id = in.conversationId();
        ConversationMeta meta = state.meta(id);
        MessageState target = state.indexedMessage(id, delete.getSeq(), in.streamTime());
        boolean admin = !meta.getDirect() && Membership.isAdmin(meta, in.sender());
        if (!admin) {
            if (target != null && !target.getSender().equals(in.sender())) {
                return new Outcome.Rejected(
                        ErrorCode.FORBIDDEN, "only its sender or a group admin may delete a message");
            }
            if (target == null
                    || in.timestamp() - target.getTs() > config.deleteWindow().toMillis()) {
                return new Outcome.Rejected(
                        ErrorCode.FORBIDDEN,
                        "its sender may delete a message for "
                                + config.deleteWindow().toMinutes()
                                + " minutes after it was sent; after that only a group admin");
            }
        }
        long lastSeq = state.lastSeq(id);
        // the processor stamps the event with version + 1 in this same transaction
        state.markDeleted(id, delete.getSeq(), state.version(id) + 1);
        remember(in, DELETE, delete.getClientMsgId(), delete.getSeq());
        String sender = target == null ? null : target.getSender();
        return Outcome.Published.toMembers(
                meta,
                in.event(lastSeq, new MessageDeleted(delete.getSeq(), sender, ConversationState.expiresAt(target))),
                true); // retracts a push still held for it (NotificationTopology)
    }

    /** The checks edit and delete share, in the order that leaks nothing to non-members; null if passed. */
    private Outcome common(CommandInput in, String kind, String clientMsgId, long seq) {
        if (clientMsgId == null || clientMsgId.isEmpty() || clientMsgId.length() > MAX_CLIENT_MSG_ID_CHARS) {
            return new Outcome.Rejected(ErrorCode.BAD_REQUEST, "client message id must be 1 to 128 characters");
        }
        String id = in.conversationId();
        ConversationMeta meta = state.meta(id);
        // a missing conversation answers like someone else's: direct ids are computable
        if (!state.isMember(id, meta, in.sender())) {
            return new Outcome.Rejected(ErrorCode.NOT_MEMBER, "only members may " + kind + " messages");
        }
        DedupEntry earlier = state.findCommand(id, in.sender(), kind, clientMsgId, in.streamTime());
        if (earlier != null) {
            return Outcome.Acknowledged.of(earlier.getSeq(), null, earlier.getTs(), true, earlier.getVersion());
        }
        if (seq < 1 || seq > state.lastSeq(id)) {
            return new Outcome.Rejected(ErrorCode.NOT_FOUND, "no message " + seq + " in this conversation");
        }
        if (state.isDeleted(id, seq)) {
            return new Outcome.Rejected(ErrorCode.GONE, "message " + seq + " was deleted");
        }
        if (isExpired(in, seq)) {
            return new Outcome.Rejected(ErrorCode.GONE, "message " + seq + " has disappeared (retention)");
        }
        return null;
    }

    /**
     * Whether the message has disappeared by the retention it was posted under. Known while the index
     * holds it; an older one counts as present (an admin's delete of it is a harmless tombstone).
     */
    private boolean isExpired(CommandInput in, long seq) {
        MessageState target = state.indexedMessage(in.conversationId(), seq, in.streamTime());
        Long retention = target == null ? null : target.getRetentionSeconds();
        return retention != null && in.timestamp() - target.getTs() >= retention * 1000;
    }

    private void remember(CommandInput in, String kind, String clientMsgId, long seq) {
        long version = state.version(in.conversationId()) + 1;
        state.rememberCommand(
                in.conversationId(),
                in.sender(),
                kind,
                clientMsgId,
                new DedupEntry(seq, 0L, in.timestamp(), version),
                in.streamTime());
    }
}
