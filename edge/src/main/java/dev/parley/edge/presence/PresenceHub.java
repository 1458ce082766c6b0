package dev.parley.edge.presence;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.edge.socket.ClientConnection;
import dev.parley.schema.RedisKeys;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.JedisPubSub;

/**
 * Presence through Redis pub/sub, never Kafka: an edge publishes when a user's first socket opens
 * or last one closes, and forwards changes to the sockets on this edge that subscribed to that
 * user. One pattern subscription per edge; the listener thread reconnects if Redis drops it.
 */
public final class PresenceHub implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PresenceHub.class);

    private final JedisPooled redis;
    private final RedisKeys keys;
    private final ObjectMapper json;
    private final Map<String, Set<ClientConnection>> watchers = new ConcurrentHashMap<>();
    private final Thread listener;
    private volatile boolean running = true;
    private volatile JedisPubSub subscription;

    public PresenceHub(JedisPooled redis, RedisKeys keys, ObjectMapper json) {
        this.redis = redis;
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
        redis.publish(keys.presenceChannel(userId), frame);
    }

    public void subscribe(ClientConnection connection, String userId) {
        watchers.computeIfAbsent(userId, u -> ConcurrentHashMap.newKeySet()).add(connection);
    }

    public void unsubscribeAll(ClientConnection connection) {
        watchers.values().forEach(set -> set.remove(connection));
    }

    private void listen() {
        String prefix = keys.presenceChannel("");
        while (running) {
            subscription = new JedisPubSub() {
                @Override
                public void onPMessage(String pattern, String channel, String message) {
                    Set<ClientConnection> set = watchers.get(channel.substring(prefix.length()));
                    if (set != null) {
                        set.forEach(c -> c.send(message));
                    }
                }
            };
            try {
                redis.psubscribe(subscription, keys.presencePattern());
            } catch (RuntimeException e) {
                if (running) {
                    log.warn("presence subscription lost, retrying in 1 s: {}", e.toString());
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
