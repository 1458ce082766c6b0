package dev.parley.edge.presence;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.edge.socket.ClientConnection;
import dev.parley.schema.RedisCircuitBreaker;
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
 *
 * <p>While Redis is down presence degrades: changes are not published (watchers see them once the
 * user's next change is) and subscribers get no updates; chat itself is unaffected.
 */
public final class PresenceHub implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PresenceHub.class);

    private final JedisPooled redis;
    private final RedisCircuitBreaker breaker;
    private final RedisKeys keys;
    private final ObjectMapper json;
    private final Map<String, Set<ClientConnection>> watchers = new ConcurrentHashMap<>();
    private final Thread listener;
    private volatile boolean running = true;
    private volatile JedisPubSub subscription;
    private final OutageLog publishLog = new OutageLog(log, "presence: Redis unavailable, changes not published");
    private final OutageLog subscriptionLog = new OutageLog(log, "presence subscription lost, retrying every second");

    public PresenceHub(JedisPooled redis, RedisCircuitBreaker breaker, RedisKeys keys, ObjectMapper json) {
        this.redis = redis;
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
                public void onPSubscribe(String pattern, int subscribedChannels) {
                    subscriptionLog.over();
                }

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
