package dev.parley.edge.presence;

import dev.parley.edge.ApiException;
import dev.parley.schema.ErrorCode;
import dev.parley.schema.RedisCircuitBreaker;
import dev.parley.schema.RedisKeys;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.PipelineBase;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;

/**
 * Sessions, edge heartbeat and last seen in Redis, in the layout the topology's router reads
 * ({@link RedisKeys}). Every key has a TTL: the heartbeat refreshes them, so a crashed edge's
 * sessions age out within {@link RedisKeys#SESSION_TTL} and its heartbeat within 30 s.
 *
 * <p>While Redis is down (the breaker is open, or a call fails) session writes are skipped, never
 * waited for: opening a socket must not hang on Redis. The sockets closed meanwhile are remembered
 * (at most {@code maxPendingRemovals}, oldest forgotten first: their entries age out with the TTL),
 * and {@link #restore} rewrites every live socket's session and replays those removals once Redis
 * answers again.
 */
public final class SessionStore {

    private static final Logger log = LoggerFactory.getLogger(SessionStore.class);
    private static final long LAST_SEEN_TTL_SECONDS = Duration.ofDays(90).toSeconds();
    private static final long EDGE_LIST_RETENTION_MILLIS = Duration.ofDays(1).toMillis();

    private final UnifiedJedis redis;
    private final RedisCircuitBreaker breaker;
    private final RedisKeys keys;
    private final String edgeId;
    private final LongSupplier clock;
    private final OutageLog outageLog = new OutageLog(log, "session writes: Redis unavailable, skipping them");
    private final LinkedHashMap<String, Removal> pendingRemovals;
    private volatile boolean needsRestore;

    public SessionStore(
            UnifiedJedis redis,
            RedisCircuitBreaker breaker,
            RedisKeys keys,
            String edgeId,
            int maxPendingRemovals,
            LongSupplier clock) {
        this.redis = redis;
        this.breaker = breaker;
        this.keys = keys;
        this.edgeId = edgeId;
        this.clock = clock;
        this.pendingRemovals = new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Removal> eldest) {
                return size() > maxPendingRemovals;
            }
        };
    }

    /** Writes the session; skipped while Redis is down ({@link #restore} writes it later). */
    public void register(String userId, String connectionId) {
        try {
            breaker.run(() -> {
                Response<Long> written;
                try (PipelineBase p = redis.pipelined()) {
                    written = p.hset(keys.sessions(userId), connectionId, edgeId);
                    p.expire(keys.sessions(userId), RedisKeys.SESSION_TTL.toSeconds());
                    p.publish(keys.sessionsChanged(), userId);
                    p.sync();
                }
                // a cluster pipeline that could not reach the node leaves the reply unset instead of
                // throwing: reading it turns that into a skipped write, rewritten by restore
                written.get();
            });
            outageLog.over();
        } catch (RuntimeException e) {
            skipped(e);
        }
    }

    private void skipped(RuntimeException e) {
        needsRestore = true;
        outageLog.failed(e);
    }

    /** True after a session write or heartbeat was skipped, until {@link #restore} succeeds. */
    public boolean needsRestore() {
        return needsRestore;
    }

    /**
     * Removes a session; with {@code last} (the user's last socket on this edge), also stamps last
     * seen. Remembered while Redis is down.
     *
     * @return whether the user is now offline everywhere: no session left on an edge whose heartbeat
     *     is alive (a crashed edge's entries linger until their TTL). False while Redis is down: the
     *     edge cannot tell, and announcing offline for someone still online elsewhere is the worse error
     */
    public boolean unregister(String userId, String connectionId, boolean last, long nowMillis) {
        try {
            boolean offline = breaker.call(() -> {
                Response<List<String>> edgesLeft;
                try (PipelineBase p = redis.pipelined()) {
                    remove(p, new Removal(userId, connectionId, last, nowMillis));
                    edgesLeft = p.hvals(keys.sessions(userId));
                    p.sync();
                }
                List<String> edges = edgesLeft.get().stream().distinct().toList();
                if (edges.isEmpty()) {
                    return true;
                }
                // one EXISTS per heartbeat, not EXISTS k1 k2: the edges' keys lie in different
                // slots of a Redis Cluster (a cluster pipeline sends each to its node)
                List<Response<Boolean>> alive = new ArrayList<>(edges.size());
                try (PipelineBase p = redis.pipelined()) {
                    edges.forEach(edge -> alive.add(p.exists(keys.edgeHeartbeat(edge))));
                    p.sync();
                }
                return alive.stream().noneMatch(Response::get);
            });
            outageLog.over();
            return offline;
        } catch (RuntimeException e) {
            skipped(e);
            synchronized (pendingRemovals) {
                pendingRemovals.put(connectionId, new Removal(userId, connectionId, last, nowMillis));
            }
            return false;
        }
    }

    private void remove(PipelineBase p, Removal r) {
        p.hdel(keys.sessions(r.userId()), r.connectionId());
        p.publish(keys.sessionsChanged(), r.userId());
        if (r.last()) {
            p.setex(keys.lastSeen(r.userId()), LAST_SEEN_TTL_SECONDS, Long.toString(r.at()));
        }
    }

    /**
     * One pipelined round trip: this edge's heartbeat and the TTL of every session it holds. A
     * session hash that is gone although its sockets are open is written again in a second round
     * trip and announced: a Redis Cluster primary that died before replicating a write, or a Redis
     * restarted without its data, loses it, and without this the user would count as offline (no
     * live delivery) until the socket reconnects. So a lost session is back within one heartbeat
     * interval, well inside {@link RedisKeys#SESSION_TTL}.
     *
     * @return how many users' sessions were written again
     */
    public int heartbeat(Map<String, ? extends Collection<String>> connectionsByUser) {
        try {
            return breaker.call(() -> {
                Map<String, Response<Long>> refreshed = new LinkedHashMap<>();
                try (PipelineBase p = redis.pipelined()) {
                    beat(p);
                    for (String user : connectionsByUser.keySet()) {
                        refreshed.put(user, p.expire(keys.sessions(user), RedisKeys.SESSION_TTL.toSeconds()));
                    }
                    p.sync();
                }
                List<String> lost = refreshed.entrySet().stream()
                        .filter(e -> e.getValue().get() == 0L)
                        .map(Map.Entry::getKey)
                        .toList();
                if (!lost.isEmpty()) {
                    try (PipelineBase p = redis.pipelined()) {
                        for (String user : lost) {
                            write(p, user, connectionsByUser.get(user));
                        }
                        p.sync();
                    }
                }
                return lost.size();
            });
        } catch (RuntimeException e) {
            needsRestore = true; // the heartbeat and sessions may expire meanwhile
            throw e;
        }
    }

    private void write(PipelineBase p, String user, Collection<String> connectionIds) {
        for (String connectionId : connectionIds) {
            p.hset(keys.sessions(user), connectionId, edgeId);
        }
        p.expire(keys.sessions(user), RedisKeys.SESSION_TTL.toSeconds());
        p.publish(keys.sessionsChanged(), user);
    }

    private void beat(PipelineBase p) {
        long now = clock.getAsLong();
        p.setex(keys.edgeHeartbeat(edgeId), RedisKeys.EDGE_HEARTBEAT_TTL.toSeconds(), "1");
        p.zadd(keys.edges(), now, edgeId);
        p.zremrangeByScore(keys.edges(), Double.NEGATIVE_INFINITY, now - EDGE_LIST_RETENTION_MILLIS);
        p.expire(keys.edges(), EDGE_LIST_RETENTION_MILLIS / 1000);
    }

    /**
     * After an outage: the heartbeat, every live socket's session (user -> its connection ids) and
     * the removals that were skipped, in one pipeline; each user's change is announced so session
     * caches drop what they held. Throws if Redis fails again (the next recovery retries).
     *
     * @param liveSockets read after the restore started, so a write skipped meanwhile is in it or
     *     marks the store for another restore
     */
    public void restore(Supplier<Map<String, ? extends Collection<String>>> liveSockets) {
        needsRestore = false;
        Map<String, ? extends Collection<String>> connectionsByUser = liveSockets.get();
        List<Removal> removals;
        synchronized (pendingRemovals) {
            removals = List.copyOf(pendingRemovals.values());
        }
        try {
            breaker.run(() -> {
                try (PipelineBase p = redis.pipelined()) {
                    beat(p);
                    for (Removal r : removals) {
                        remove(p, r);
                    }
                    connectionsByUser.forEach((user, connectionIds) -> write(p, user, connectionIds));
                    p.sync();
                }
            });
        } catch (RuntimeException e) {
            needsRestore = true;
            throw e;
        }
        synchronized (pendingRemovals) {
            removals.forEach(r -> pendingRemovals.remove(r.connectionId(), r));
        }
        outageLog.over();
    }

    /** Whether the user has a socket on any edge; {@code unavailable} while Redis is down. */
    public boolean isOnline(String userId) {
        return read(() -> redis.hlen(keys.sessions(userId)) > 0);
    }

    /** The user's sockets on all edges (for sockets.per.user.max); {@code unavailable} while Redis is down. */
    public long socketCount(String userId) {
        return read(() -> redis.hlen(keys.sessions(userId)));
    }

    public Long lastSeen(String userId) {
        String value = read(() -> redis.get(keys.lastSeen(userId)));
        return value == null ? null : Long.parseLong(value);
    }

    private <T> T read(Supplier<T> call) {
        try {
            return breaker.call(call);
        } catch (RuntimeException e) {
            throw new ApiException(ErrorCode.UNAVAILABLE, "presence is unavailable for now; try again");
        }
    }

    private record Removal(String userId, String connectionId, boolean last, long at) {}
}
