package dev.parley.topology.conversation;

import dev.parley.schema.ErrorCode;
import dev.parley.schema.Typing;
import dev.parley.schema.TypingSignal;
import dev.parley.topology.store.ConversationMeta;
import java.time.Instant;
import java.util.List;

/** Typing indicators: checked against membership, relayed to the other members, never stored. */
final class TypingRelay {

    private final ConversationState state;

    TypingRelay(ConversationState state) {
        this.state = state;
    }

    Outcome typing(CommandInput in, Typing typing) {
        ConversationMeta meta = state.meta(in.conversationId());
        // a missing conversation answers like someone else's: direct ids are computable (sha256 of the pair)
        if (!state.isMember(in.conversationId(), meta, in.sender())) {
            return new Outcome.Rejected(ErrorCode.NOT_MEMBER, "only members may type");
        }
        TypingSignal signal = new TypingSignal(in.sender(), typing.getState(), Instant.ofEpochMilli(in.timestamp()));
        if (ChannelRules.isChannel(meta)) {
            // a channel's typing would go to every online subscriber: it is checked and dropped
            return new Outcome.Signalled(signal, List.of());
        }
        List<String> others = Membership.userIds(meta).stream()
                .filter(m -> !m.equals(in.sender()))
                .toList();
        return new Outcome.Signalled(signal, others);
    }
}
