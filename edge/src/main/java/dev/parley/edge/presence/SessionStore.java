package dev.parley.edge.presence;

import dev.parley.schema.RedisKeys;
import java.util.List;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.PipelineBase;

/**
 * Sessions, edge heartbeat and last seen in Redis, in the layout the topology's router reads
 * ({@link RedisKeys}). Every key has a TTL: the heartbeat refreshes them, so a crashed edge's
 * sessions age out within {@link RedisKeys#SESSION_TTL} and its heartbeat within 30 s.
 */
public final class SessionStore {

    private final JedisPooled redis;
    private final RedisKeys keys;
    private final String edgeId;

    public SessionStore(JedisPooled redis, RedisKeys keys, String edgeId) {
        this.redis = redis;
        this.keys = keys;
        this.edgeId = edgeId;
    }

    public void register(String userId, String connectionId) {
        try (PipelineBase p = redis.pipelined()) {
            p.hset(keys.sessions(userId), connectionId, edgeId);
            p.expire(keys.sessions(userId), RedisKeys.SESSION_TTL.toSeconds());
            p.publish(keys.sessionsChanged(), userId);
            p.sync();
        }
    }

    /** Removes a session; with {@code last}, also stamps last seen. */
    public void unregister(String userId, String connectionId, boolean last, long nowMillis) {
        try (PipelineBase p = redis.pipelined()) {
            p.hdel(keys.sessions(userId), connectionId);
            p.publish(keys.sessionsChanged(), userId);
            if (last) {
                p.setex(keys.lastSeen(userId), 90L * 24 * 3600, Long.toString(nowMillis));
            }
            p.sync();
        }
    }

    /** One pipelined round trip: this edge's heartbeat and the TTL of every session it holds. */
    public void heartbeat(List<String> users) {
        try (PipelineBase p = redis.pipelined()) {
            p.setex(keys.edgeHeartbeat(edgeId), RedisKeys.EDGE_HEARTBEAT_TTL.toSeconds(), "1");
            for (String user : users) {
                p.expire(keys.sessions(user), RedisKeys.SESSION_TTL.toSeconds());
            }
            p.sync();
        }
    }

    public boolean isOnline(String userId) {
        return redis.hlen(keys.sessions(userId)) > 0;
    }

    public Long lastSeen(String userId) {
        String value = redis.get(keys.lastSeen(userId));
        return value == null ? null : Long.parseLong(value);
    }
}
