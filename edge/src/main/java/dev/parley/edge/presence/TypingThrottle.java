package dev.parley.edge.presence;

import dev.parley.schema.RedisKeys;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.params.SetParams;

/** At most one typing event per second per user and conversation, across all of the user's devices. */
public final class TypingThrottle {

    private final JedisPooled redis;
    private final RedisKeys keys;

    public TypingThrottle(JedisPooled redis, RedisKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    public boolean allow(String userId, String conversationId) {
        return "OK"
                .equals(redis.set(
                        keys.typingThrottle(userId, conversationId),
                        "1",
                        SetParams.setParams().nx().px(1000)));
    }
}
