package dev.parley.topology.conversation;

import dev.parley.schema.ConversationIds;
import dev.parley.schema.ErrorCode;
import dev.parley.schema.Typing;
import dev.parley.schema.TypingSignal;
import dev.parley.topology.store.ConversationMeta;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;

/**
 * Typing indicators: checked against membership, relayed to the other members, never stored. Used
 * by SignalTopology, which reads membership from the conversation topology's committed {@code
 * conversation-meta} changelog.
 */
public final class TypingRelay {

    private final Function<String, ConversationMeta> meta;

    public TypingRelay(Function<String, ConversationMeta> meta) {
        this.meta = meta;
    }

    /** A signal for the other members, or a rejection nobody hears (typing carries no origin). */
    public Outcome typing(String conversationId, String sender, long timestamp, Typing typing) {
        if (!ConversationIds.isValid(conversationId) || !Membership.isValidUserId(sender)) {
            return new Outcome.Rejected(ErrorCode.BAD_REQUEST, "invalid conversation or sender");
        }
        ConversationMeta current = meta.apply(conversationId);
        // a missing conversation answers like someone else's: direct ids are computable (sha256 of the pair)
        if (current == null) {
            return new Outcome.Rejected(ErrorCode.NOT_MEMBER, "only members may type");
        }
        TypingSignal signal = new TypingSignal(sender, typing.getState(), Instant.ofEpochMilli(timestamp));
        if (ChannelRules.isChannel(current)) {
            // a channel's typing would go to every online subscriber (and its members live in the
            // channel-members store, not in this record): it is dropped
            return new Outcome.Signalled(signal, List.of());
        }
        if (!Membership.isMember(current, sender)) {
            return new Outcome.Rejected(ErrorCode.NOT_MEMBER, "only members may type");
        }
        List<String> others = Membership.userIds(current).stream()
                .filter(m -> !m.equals(sender))
                .toList();
        return new Outcome.Signalled(signal, others);
    }
}
