package dev.parley.topology.conversation;

import dev.parley.schema.ConversationEvent;

/**
 * What every rule needs from the input record: who asked, in which conversation, when, and the
 * deterministic id of whatever event the command produces.
 *
 * @param timestamp the record's timestamp (the broker's append time on parley.commands.v1): the
 *     event's {@code ts}
 * @param streamTime the partition's clock: the highest record timestamp its task has seen, never
 *     going back, so one record stamped far in the past cannot move the dedup window
 */
public record CommandInput(String conversationId, String sender, long timestamp, long eventId, long streamTime) {

    ConversationEvent event(long seq, Object payload) {
        return ConversationEvent.newBuilder()
                .setEventId(eventId)
                .setConversationId(conversationId)
                .setSeq(seq)
                .setTs(java.time.Instant.ofEpochMilli(timestamp))
                .setActor(sender)
                .setPayload(payload)
                .build();
    }
}
