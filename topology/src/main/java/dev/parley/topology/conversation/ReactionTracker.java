package dev.parley.topology.conversation;

import dev.parley.schema.ErrorCode;
import dev.parley.schema.React;
import dev.parley.schema.ReactionChanged;
import dev.parley.schema.ReactionOp;
import dev.parley.topology.store.ConversationMeta;

/**
 * Reactions as a set of (seq, user, emoji): adding one twice or removing one that is not there
 * changes nothing and emits nothing, so client retries are harmless.
 */
final class ReactionTracker {

    private static final int MAX_EMOJI_CHARS = 32;

    private final ConversationState state;

    ReactionTracker(ConversationState state) {
        this.state = state;
    }

    Outcome react(CommandInput in, React react) {
        String id = in.conversationId();
        ConversationMeta meta = state.meta(id);
        // a missing conversation answers like someone else's: direct ids are computable (sha256 of the pair)
        if (!state.isMember(id, meta, in.sender())) {
            return new Outcome.Rejected(ErrorCode.NOT_MEMBER, "only members may react");
        }
        long lastSeq = state.lastSeq(id);
        if (react.getSeq() < 1 || react.getSeq() > lastSeq) {
            return new Outcome.Rejected(ErrorCode.BAD_REQUEST, "seq names no message of this conversation");
        }
        if (state.isDeleted(id, react.getSeq())) {
            return new Outcome.Rejected(ErrorCode.GONE, "message " + react.getSeq() + " was deleted");
        }
        String emoji = react.getEmoji();
        if (emoji == null || emoji.isBlank() || emoji.length() > MAX_EMOJI_CHARS || hasControl(emoji)) {
            return new Outcome.Rejected(ErrorCode.BAD_REQUEST, "emoji must be 1 to 32 printable characters");
        }
        boolean present = state.hasReaction(id, react.getSeq(), in.sender(), emoji);
        boolean adding = react.getOp() == ReactionOp.ADD;
        if (present == adding) {
            return Outcome.Acknowledged.of(lastSeq, null, in.timestamp(), false);
        }
        if (adding) {
            state.addReaction(id, react.getSeq(), in.sender(), emoji, in.timestamp());
        } else {
            state.removeReaction(id, react.getSeq(), in.sender(), emoji);
        }
        // a reaction on a disappearing message disappears with it (readers give it the same lifetime)
        Long expiresAt = ConversationState.expiresAt(state.indexedMessage(id, react.getSeq(), in.streamTime()));
        ReactionChanged changed = new ReactionChanged(react.getSeq(), in.sender(), emoji, react.getOp(), expiresAt);
        return Outcome.Published.toMembers(meta, in.event(lastSeq, changed), false);
    }

    private static boolean hasControl(String s) {
        return s.chars().anyMatch(Character::isISOControl);
    }
}
