package dev.parley.edge.presence;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.edge.history.SharedConversations;
import dev.parley.edge.socket.ClientConnection;
import dev.parley.schema.RedisCircuitBreaker;
import dev.parley.schema.RedisKeys;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.UnifiedJedis;

/**
 * Presence through Redis pub/sub, never Kafka: an edge publishes when a user's first socket opens
 * or last one closes, and forwards changes to the sockets on this edge that subscribed to that
 * user. One pattern subscription per edge; the listener thread reconnects if Redis drops it.
 *
 * <p>A user sees the presence of those they share a conversation with ({@link SharedConversations}),
 * checked when they subscribe and again for every change forwarded (on the watcher's lane: the
 * check may read Cassandra), so a member removed from the only shared group stops seeing changes
 * within the cache's TTL.
 *
 * <p>While Redis is down presence degrades: changes are not published (watchers see them once the
 * user's next change is) and subscribers get no updates; chat itself is unaffected.
 */
public final class PresenceHub implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PresenceHub.class);

    private final UnifiedJedis redis;
    private final RedisCircuitBreaker breaker;
    private final RedisKeys keys;
    private final ObjectMapper json;
    private final SharedConversations shared;
    private final Map<String, Set<ClientConnection>> watchers = new ConcurrentHashMap<>();
    private final Thread listener;
    private volatile boolean running = true;
    private volatile JedisPubSub subscription;
    private final OutageLog publishLog = new OutageLog(log, "presence: Redis unavailable, changes not published");
    private final OutageLog forwardLog =
            new OutageLog(log, "presence: cannot tell who shares a conversation, changes not forwarded");
    private final OutageLog subscriptionLog = new OutageLog(log, "presence subscription lost, retrying every second");

    public PresenceHub(
            UnifiedJedis redis,
            RedisCircuitBreaker breaker,
            RedisKeys keys,
            ObjectMapper json,
            SharedConversations shared) {
        this.redis = redis;
        this.shared = shared;
        this.breaker = breaker;
        this.keys = keys;
        this.json = json;
        this.listener = new Thread(this::listen, "parley-presence");
        listener.setDaemon(true);
        listener.start();
    }

    public void changed(String userId, boolean online) {
        String frame = json.createObjectNode()
                .put("type", "presence")
                .put("user", userId)
                .put("status", online ? "online" : "offline")
                .put("last_seen", System.currentTimeMillis())
                .toString();
        try {
            breaker.call(() -> redis.publish(keys.presenceChannel(userId), frame));
            publishLog.over();
        } catch (RuntimeException e) {
            publishLog.failed(e);
        }
    }

    /**
     * Subscribes the connection to the user's changes if they share a conversation.
     *
     * @return whether the connection may see the user's presence; if not, answer as for a user who
     *     never connected, so strangers and nonexistent users look alike
     */
    public boolean subscribe(ClientConnection connection, String userId) {
        if (!shared.share(connection.userId(), userId)) {
            return false;
        }
        watchers.computeIfAbsent(userId, u -> ConcurrentHashMap.newKeySet()).add(connection);
        return true;
    }

    /** Whether {@code watcher} may see {@code userId}'s presence now. */
    public boolean visible(String watcher, String userId) {
        return shared.share(watcher, userId);
    }

    private void forward(ClientConnection watcher, String userId, String frame) {
        watcher.lane().execute(() -> {
            try {
                if (shared.share(watcher.userId(), userId)) {
                    watcher.send(frame);
                }
            } catch (RuntimeException e) {
                forwardLog.failed(e); // Cassandra unreachable: the change is not shown, the next one may be
            }
        });
    }

    public void unsubscribeAll(ClientConnection connection) {
        watchers.values().forEach(set -> set.remove(connection));
    }

    private void listen() {
        String prefix = keys.presenceChannel("");
        while (running) {
            subscription = new JedisPubSub() {
                @Override
                public void onPSubscribe(String pattern, int subscribedChannels) {
                    subscriptionLog.over();
                }

                @Override
                public void onPMessage(String pattern, String channel, String message) {
                    String userId = channel.substring(prefix.length());
                    Set<ClientConnection> set = watchers.get(userId);
                    if (set != null) {
                        set.forEach(c -> forward(c, userId, message));
                    }
                }
            };
            try {
                redis.psubscribe(subscription, keys.presencePattern());
            } catch (RuntimeException e) {
                if (running) {
                    subscriptionLog.failed(e);
                    try {
                        Thread.sleep(1000);
                    } catch (InterruptedException ie) {
                        return;
                    }
                }
            }
        }
    }

    @Override
    public void close() {
        running = false;
        JedisPubSub s = subscription;
        if (s != null && s.isSubscribed()) {
            s.punsubscribe();
        }
    }
}
