package dev.parley.topology.routing;

import dev.parley.schema.RedisKeys;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.PipelineBase;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Sessions from Redis: one pipelined round trip reads every recipient's session hash (connection
 * -> edge), a second checks the heartbeats of edges not seen in the last second. An edge whose
 * heartbeat expired is treated as gone, so a crashed edge never gets deliveries (its topic may be
 * deleted) and its users count as offline.
 *
 * <p>Redis down or slow (past the client's socket timeout): everyone is offline for that record,
 * logged at most once per minute. The stream thread never dies for it.
 */
public final class RedisSessionDirectory implements SessionDirectory {

    private static final Logger log = LoggerFactory.getLogger(RedisSessionDirectory.class);
    private static final long LIVENESS_CACHE_NANOS = Duration.ofSeconds(1).toNanos();
    private static final long ERROR_LOG_INTERVAL_NANOS = Duration.ofMinutes(1).toNanos();

    private final JedisPooled redis;
    private final RedisKeys keys;
    private final LongSupplier nanoClock;
    private final Map<String, CachedLiveness> liveness = new ConcurrentHashMap<>();
    private volatile long lastErrorLog = Long.MIN_VALUE;

    public RedisSessionDirectory(JedisPooled redis, RedisKeys keys) {
        this(redis, keys, System::nanoTime);
    }

    RedisSessionDirectory(JedisPooled redis, RedisKeys keys, LongSupplier nanoClock) {
        this.redis = redis;
        this.keys = keys;
        this.nanoClock = nanoClock;
    }

    @Override
    public Map<String, Set<String>> locate(Collection<String> userIds) {
        try {
            Map<String, Set<String>> byEdge = sessionsByEdge(userIds);
            byEdge.keySet().retainAll(liveEdges(byEdge.keySet()));
            return byEdge;
        } catch (JedisException e) {
            long now = nanoClock.getAsLong();
            if (lastErrorLog == Long.MIN_VALUE || now - lastErrorLog > ERROR_LOG_INTERVAL_NANOS) {
                lastErrorLog = now;
                log.warn("session directory unreachable, treating recipients as offline: {}", e.toString());
            }
            return Map.of();
        }
    }

    private Map<String, Set<String>> sessionsByEdge(Collection<String> userIds) {
        List<String> users = new ArrayList<>(new HashSet<>(userIds));
        List<Response<Map<String, String>>> replies = new ArrayList<>(users.size());
        try (PipelineBase pipeline = redis.pipelined()) {
            for (String user : users) {
                replies.add(pipeline.hgetAll(keys.sessions(user)));
            }
            pipeline.sync();
        }
        Map<String, Set<String>> byEdge = new HashMap<>();
        for (int i = 0; i < users.size(); i++) {
            for (String edge : replies.get(i).get().values()) {
                byEdge.computeIfAbsent(edge, e -> new HashSet<>()).add(users.get(i));
            }
        }
        return byEdge;
    }

    private Set<String> liveEdges(Set<String> edges) {
        long now = nanoClock.getAsLong();
        Set<String> live = new HashSet<>();
        List<String> unknown = new ArrayList<>();
        for (String edge : edges) {
            CachedLiveness cached = liveness.get(edge);
            if (cached != null && now - cached.checkedAt() < LIVENESS_CACHE_NANOS) {
                if (cached.alive()) {
                    live.add(edge);
                }
            } else {
                unknown.add(edge);
            }
        }
        if (!unknown.isEmpty()) {
            List<Response<Boolean>> replies = new ArrayList<>(unknown.size());
            try (PipelineBase pipeline = redis.pipelined()) {
                for (String edge : unknown) {
                    replies.add(pipeline.exists(keys.edgeHeartbeat(edge)));
                }
                pipeline.sync();
            }
            for (int i = 0; i < unknown.size(); i++) {
                boolean alive = replies.get(i).get();
                liveness.put(unknown.get(i), new CachedLiveness(alive, now));
                if (alive) {
                    live.add(unknown.get(i));
                }
            }
        }
        return live;
    }

    @Override
    public void close() {
        redis.close();
    }

    private record CachedLiveness(boolean alive, long checkedAt) {}
}
