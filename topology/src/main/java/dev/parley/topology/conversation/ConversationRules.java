package dev.parley.topology.conversation;

import dev.parley.schema.AddMembers;
import dev.parley.schema.ChannelInterest;
import dev.parley.schema.Command;
import dev.parley.schema.ConversationIds;
import dev.parley.schema.CreateConversation;
import dev.parley.schema.DeleteMessage;
import dev.parley.schema.EditMessage;
import dev.parley.schema.ErrorCode;
import dev.parley.schema.JoinChannel;
import dev.parley.schema.MarkReceipt;
import dev.parley.schema.React;
import dev.parley.schema.RemoveMember;
import dev.parley.schema.SendMessage;
import dev.parley.schema.SetRetention;
import dev.parley.schema.Typing;
import dev.parley.schema.UpdateConversation;
import dev.parley.topology.TopologyConfig;

/** Sends each command to the rule that owns it. The only place that knows every command type. */
public final class ConversationRules {

    private final MessageSequencer messages;
    private final MembershipRules membership;
    private final ReceiptTracker receipts;
    private final ReactionTracker reactions;
    private final MessageChanges changes;
    private final ChannelRules channels;

    public ConversationRules(ConversationState state, TopologyConfig config) {
        this.messages = new MessageSequencer(state, config.maxBodyBytes(), config.maxMentions());
        this.channels = new ChannelRules(state, config.maxGroupMembers(), config.channelInterestMaxTtl());
        this.membership = new MembershipRules(state, channels, config.maxGroupMembers(), config.minRetentionSeconds());
        this.receipts = new ReceiptTracker(state, config.receiptFanoutMaxMembers());
        this.reactions = new ReactionTracker(state);
        this.changes = new MessageChanges(state, config);
    }

    public Outcome apply(CommandInput in, Command command) {
        if (!ConversationIds.isValid(in.conversationId())) {
            return new Outcome.Rejected(ErrorCode.BAD_REQUEST, "invalid conversation id");
        }
        if (!Membership.isValidUserId(in.sender())) {
            return new Outcome.Rejected(ErrorCode.BAD_REQUEST, "invalid sender");
        }
        Object payload = command.getPayload();
        if (payload instanceof SendMessage send) {
            return messages.send(in, send);
        } else if (payload instanceof CreateConversation create) {
            return membership.create(in, create);
        } else if (payload instanceof AddMembers add) {
            return membership.add(in, add);
        } else if (payload instanceof RemoveMember remove) {
            return membership.remove(in, remove);
        } else if (payload instanceof UpdateConversation update) {
            return membership.update(in, update);
        } else if (payload instanceof MarkReceipt mark) {
            return receipts.mark(in, mark);
        } else if (payload instanceof React react) {
            return reactions.react(in, react);
        } else if (payload instanceof Typing) {
            // relayed by the at-least-once SignalTopology from parley.typing.v1; one here came from
            // an edge of an older release (typing used to ride on the commands): dropped, as typing
            // may be, rather than shown after a commit's wait
            return new Outcome.Ignored();
        } else if (payload instanceof EditMessage edit) {
            return changes.edit(in, edit);
        } else if (payload instanceof DeleteMessage delete) {
            return changes.delete(in, delete);
        } else if (payload instanceof JoinChannel) {
            return channels.join(in);
        } else if (payload instanceof ChannelInterest interest) {
            return channels.interest(in, interest);
        } else if (payload instanceof SetRetention retention) {
            return membership.retention(in, retention);
        }
        return new Outcome.Rejected(ErrorCode.BAD_REQUEST, "unknown command");
    }
}
