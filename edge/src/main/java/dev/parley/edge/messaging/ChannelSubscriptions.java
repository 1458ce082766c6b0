package dev.parley.edge.messaging;

import dev.parley.schema.ChannelInterest;
import dev.parley.schema.Command;
import dev.parley.schema.ConversationIds;
import dev.parley.schema.Origin;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which connected users of this edge are members of which channels (DESIGN 7.5), and this edge's
 * interest in each channel as the topology knows it.
 *
 * <p>A channel's events reach an edge as one delivery flagged {@code channel_fanout} (the topology
 * lists no recipients); {@link #localMembers} is who gets it here. Members are learnt when a user's
 * first socket opens (the user's channels from the history tables, at most {@code
 * channels.per.user.max}, off the I/O thread, never on the send path) and from the membership events
 * delivered to local users (created, joined, invited, left, removed); a user's last socket closing
 * forgets them.
 *
 * <p>Interest is a {@link ChannelInterest} command (through the commands topic, so it is ordered with
 * the channel's posts and kept by the topology in its channel-interest store): produced when a
 * channel gets its first local member, renewed by {@link #renew} every third of {@code
 * channel.interest.ttl.ms}, withdrawn (TTL 0) when its last local member goes. A crashed edge stops
 * renewing and ages out within the TTL.
 */
public final class ChannelSubscriptions {

    private static final Logger log = LoggerFactory.getLogger(ChannelSubscriptions.class);

    private final String edgeId;
    private final CommandPublisher publisher;
    private final Duration ttl;
    private final Predicate<String> connected;
    private final Map<String, Set<String>> byChannel = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> byUser = new ConcurrentHashMap<>();

    /** @param connected whether a user holds a socket here now */
    public ChannelSubscriptions(String edgeId, CommandPublisher publisher, Duration ttl, Predicate<String> connected) {
        this.edgeId = edgeId;
        this.publisher = publisher;
        this.ttl = ttl;
        this.connected = connected;
    }

    /** The interval {@link #renew} should run at: a third of the TTL, so two renewals may be lost. */
    public Duration renewInterval() {
        return ttl.dividedBy(3);
    }

    /**
     * A user's first socket on this edge opened: subscribes it to its channels, read by {@code
     * channelsOf} (the ids of the user's conversations; only channel ids are kept).
     */
    public void userConnected(String userId, Function<String, List<String>> channelsOf) {
        for (String id : channelsOf.apply(userId)) {
            if (ConversationIds.isChannel(id)) {
                joined(id, userId);
            }
        }
    }

    /** The user's last socket here closed: it is nobody's business here any more. */
    public void userDisconnected(String userId) {
        if (connected.test(userId)) {
            return; // reconnected before this ran (it runs off the I/O thread)
        }
        Set<String> channels = byUser.remove(userId);
        if (channels != null) {
            channels.forEach(c -> dropFromChannel(c, userId));
        }
    }

    /** A local user became a member (or is one, learnt at connect). */
    public void joined(String channelId, String userId) {
        byUser.computeIfAbsent(userId, u -> ConcurrentHashMap.newKeySet()).add(channelId);
        boolean[] first = {false};
        byChannel.compute(channelId, (c, users) -> {
            Set<String> set = users == null ? ConcurrentHashMap.newKeySet() : users;
            first[0] = set.isEmpty();
            set.add(userId);
            return set;
        });
        if (first[0]) {
            register(channelId, ttl.toMillis());
        }
    }

    /** A local user left or was removed. */
    public void left(String channelId, String userId) {
        byUser.computeIfPresent(userId, (u, set) -> {
            set.remove(channelId);
            return set.isEmpty() ? null : set;
        });
        dropFromChannel(channelId, userId);
    }

    private void dropFromChannel(String channelId, String userId) {
        boolean[] last = {false};
        byChannel.computeIfPresent(channelId, (c, users) -> {
            users.remove(userId);
            last[0] = users.isEmpty();
            return users.isEmpty() ? null : users;
        });
        if (last[0]) {
            register(channelId, 0);
        }
    }

    /** The local users who are members of the channel (a live view). */
    public Set<String> localMembers(String channelId) {
        return byChannel.getOrDefault(channelId, Set.of());
    }

    /** How many channels have a local member: the interest entries this edge keeps alive. */
    public int channels() {
        return byChannel.size();
    }

    /** Renews the interest in every channel with a local member (a timer calls this). */
    public void renew() {
        // a user whose sockets closed while their channels were being read is forgotten here
        for (String userId : List.copyOf(byUser.keySet())) {
            if (!connected.test(userId)) {
                userDisconnected(userId);
            }
        }
        for (String channelId : List.copyOf(byChannel.keySet())) {
            register(channelId, ttl.toMillis());
        }
    }

    private CompletableFuture<Void> register(String channelId, long ttlMs) {
        Command command =
                new Command(channelId, edgeId, new Origin(edgeId, null, null), new ChannelInterest(edgeId, ttlMs));
        CompletableFuture<Void> sent;
        try {
            sent = publisher.publish(command);
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        // the next renewal retries: a lost registration delays a channel's live posts by one interval
        return sent.whenComplete((ok, error) -> {
            if (error != null) {
                log.warn("channel interest of {} in {} not registered: {}", edgeId, channelId, error.toString());
            }
        });
    }
}
