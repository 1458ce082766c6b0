package dev.parley.topology.conversation;

import dev.parley.schema.CommandAccepted;
import dev.parley.schema.ConversationCreated;
import dev.parley.schema.ConversationEvent;
import dev.parley.schema.ErrorCode;
import dev.parley.schema.TypingSignal;
import dev.parley.topology.store.ConversationMeta;
import java.time.Instant;
import java.util.List;

/** What one command did. The processor turns it into events-topic, delivery and notify records. */
public sealed interface Outcome {

    /**
     * A new event: written to the events topic, delivered to {@code audience}; the origin is answered
     * from the event itself. {@code notifyOffline} turns offline audience members into notifications.
     */
    record Published(ConversationEvent event, List<String> audience, boolean notifyOffline, boolean channelFanout)
            implements Outcome {
        Published(ConversationEvent event, List<String> audience, boolean notifyOffline) {
            this(event, audience, notifyOffline, false);
        }

        /**
         * An event for every member: listed for a direct conversation or a group; for a channel (v6)
         * nobody is listed and the event goes to every edge that registered interest in it, which
         * hands it to its members' sockets (fan-out on read), so no member list is read.
         */
        static Published toMembers(ConversationMeta meta, ConversationEvent event, boolean notifyOffline) {
            return meta.getChannel() != null
                    ? new Published(event, List.of(), notifyOffline, true)
                    : new Published(event, Membership.userIds(meta), notifyOffline, false);
        }
    }

    /** Nothing new happened (a retry, a no-op): only the origin hears back. */
    record Acknowledged(CommandAccepted ack) implements Outcome {
        static Acknowledged of(long seq, Long messageId, long timestamp, boolean duplicate) {
            return of(seq, messageId, timestamp, duplicate, 0L);
        }

        /** @param version the change counter to report (the processor fills the current one when 0) */
        static Acknowledged of(long seq, Long messageId, long timestamp, boolean duplicate, long version) {
            return new Acknowledged(
                    new CommandAccepted(seq, messageId, Instant.ofEpochMilli(timestamp), duplicate, version, null));
        }

        /**
         * A repeated create (v7): the conversation as it is now, so the edge answers the repeat with
         * the same body as the first create instead of only its id.
         */
        static Acknowledged repeatedCreate(long seq, long createdAt, ConversationCreated conversation) {
            return new Acknowledged(
                    new CommandAccepted(seq, null, Instant.ofEpochMilli(createdAt), true, 0L, conversation));
        }
    }

    /** The command broke a rule: only the origin hears back, nothing is stored. */
    record Rejected(ErrorCode code, String message) implements Outcome {}

    /** An ephemeral signal (typing) for online members only: never stored, never in the event log. */
    record Signalled(TypingSignal signal, List<String> audience) implements Outcome {}

    /** Not this topology's to handle (typing, which SignalTopology relays): no output at all. */
    record Ignored() implements Outcome {}
}
