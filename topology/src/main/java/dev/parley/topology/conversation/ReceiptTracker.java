package dev.parley.topology.conversation;

import dev.parley.schema.ErrorCode;
import dev.parley.schema.MarkReceipt;
import dev.parley.schema.ReceiptAdvanced;
import dev.parley.schema.ReceiptKind;
import dev.parley.topology.store.ConversationMeta;
import dev.parley.topology.store.ReceiptState;
import java.util.List;

/**
 * Delivered and read watermarks per (conversation, user). They only move forward, read implies
 * delivered, and a watermark never passes the conversation's last seq. An event is emitted only
 * when a watermark moves; small groups see everyone's receipts, large ones only the reader's own
 * devices (counts come from the API).
 */
final class ReceiptTracker {

    private final ConversationState state;
    private final int fanoutMaxMembers;

    ReceiptTracker(ConversationState state, int fanoutMaxMembers) {
        this.state = state;
        this.fanoutMaxMembers = fanoutMaxMembers;
    }

    Outcome mark(CommandInput in, MarkReceipt mark) {
        ConversationMeta meta = state.meta(in.conversationId());
        // a missing conversation answers like someone else's: direct ids are computable (sha256 of the pair)
        if (!state.isMember(in.conversationId(), meta, in.sender())) {
            return new Outcome.Rejected(ErrorCode.NOT_MEMBER, "only members may mark receipts");
        }
        if (mark.getSeq() < 1) {
            return new Outcome.Rejected(ErrorCode.BAD_REQUEST, "seq must be at least 1");
        }
        long lastSeq = state.lastSeq(in.conversationId());
        long upTo = Math.min(mark.getSeq(), lastSeq);
        ReceiptState before = state.receipt(in.conversationId(), in.sender());
        long read = mark.getKind() == ReceiptKind.READ ? Math.max(before.getRead(), upTo) : before.getRead();
        long delivered = Math.max(Math.max(before.getDelivered(), upTo), read);
        if (read == before.getRead() && delivered == before.getDelivered()) {
            return Outcome.Acknowledged.of(lastSeq, null, in.timestamp(), false);
        }
        state.putReceipt(in.conversationId(), in.sender(), new ReceiptState(delivered, read));
        // a channel's receipts are never fanned out (counts come from the API); it lists no members
        List<String> members = ChannelRules.isChannel(meta) ? List.of() : Membership.userIds(meta);
        List<String> audience =
                !members.isEmpty() && members.size() <= fanoutMaxMembers ? members : List.of(in.sender());
        ReceiptAdvanced advanced = new ReceiptAdvanced(in.sender(), delivered, read);
        return new Outcome.Published(in.event(lastSeq, advanced), audience, false);
    }
}
