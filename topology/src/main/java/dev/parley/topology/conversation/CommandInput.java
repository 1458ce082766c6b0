package dev.parley.topology.conversation;

import dev.parley.schema.ConversationEvent;

/**
 * What every rule needs from the input record: who asked, in which conversation, when, and the
 * deterministic id of whatever event the command produces.
 */
public record CommandInput(String conversationId, String sender, long timestamp, long eventId) {

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
