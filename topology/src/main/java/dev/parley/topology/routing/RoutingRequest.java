package dev.parley.topology.routing;

import dev.parley.schema.ConversationType;
import dev.parley.schema.Origin;
import java.util.List;

/**
 * What the conversation processor hands the router: a payload for the members in {@code audience},
 * the origin to answer (or {@code null}), and, for messages, how to describe the conversation in
 * notifications to offline members (or {@code null} for no notifications).
 *
 * @param payload a ConversationEvent, CommandAccepted, CommandRejected or TypingSignal
 */
public record RoutingRequest(
        String conversationId,
        Object payload,
        List<String> audience,
        Origin origin,
        NotifyAs notifyAs,
        List<String> channelEdges) {

    /**
     * @param channelEdges edges that registered interest in the channel (v6): each gets the payload
     *     flagged for all its local member sockets, without recipients being looked up
     */
    public RoutingRequest {
        channelEdges = channelEdges == null ? List.of() : channelEdges;
    }

    public RoutingRequest(
            String conversationId, Object payload, List<String> audience, Origin origin, NotifyAs notifyAs) {
        this(conversationId, payload, audience, origin, notifyAs, List.of());
    }

    public record NotifyAs(ConversationType type, String name) {}
}
