package dev.parley.edge.messaging;

import dev.parley.edge.socket.ClientConnection;
import dev.parley.edge.socket.Connections;
import dev.parley.schema.ConversationIds;
import dev.parley.schema.Delivery;
import dev.parley.schema.Origin;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Who on this edge gets a delivery record's payload: the users it lists, and for a channel's
 * fan-out-on-read record every local member; then their sockets, less the one that sent the command
 * (it gets {@code sent} instead). One place for both readers of the delivery topic.
 */
final class DeliveryRecipients {

    private final Connections connections;
    private final ChannelSubscriptions channels;

    DeliveryRecipients(Connections connections, ChannelSubscriptions channels) {
        this.connections = connections;
        this.channels = channels;
    }

    /** Whether any socket here asked for early frames. */
    boolean anyEarly() {
        return connections.earlySockets() > 0;
    }

    List<String> users(Delivery delivery) {
        List<String> listed = delivery.getRecipients();
        if (!ConversationIds.isChannel(delivery.getConversationId()) || !delivery.getChannelFanout()) {
            return listed;
        }
        // fan-out on read: the topology listed nobody; every local member's socket gets it
        Set<String> everyone = new HashSet<>(listed);
        everyone.addAll(channels.localMembers(delivery.getConversationId()));
        return List.copyOf(everyone);
    }

    /** The sockets of {@code users}, without the one with id {@code skipConnection} (may be null). */
    List<ClientConnection> connections(List<String> users, String skipConnection) {
        List<ClientConnection> out = new ArrayList<>();
        for (String user : users) {
            for (ClientConnection c : connections.ofUser(user)) {
                if (!c.id().equals(skipConnection)) {
                    out.add(c);
                }
            }
        }
        return out;
    }

    /** The socket a delivery's payload skips: the one that sent the command, if any. */
    static String skipped(Delivery delivery) {
        Origin origin = delivery.getOrigin();
        return origin == null ? null : origin.getConnectionId();
    }
}
