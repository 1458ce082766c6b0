package dev.parley.edge.history;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import java.time.Duration;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Whether two users share a conversation now: the rule for who may see whose presence. Decided from
 * the sink-written {@code conversations_by_user} rows of both users (two single-partition reads of
 * at most {@code maxConversations} ids each, intersected), so the cost is bounded whatever the size
 * of the groups involved; a user's ids are cached for {@code ttl}, so a socket subscribing to 500
 * contacts reads each of them once per TTL, not once per change.
 *
 * <p>The answer trails membership by the sink's lag plus at most {@code ttl}: a removed member may
 * see presence for that long. A user in more than {@code maxConversations} conversations is judged
 * by the first {@code maxConversations} (by id), so the bound may hide a contact, never reveal a
 * stranger.
 */
public final class SharedConversations {

    private record Cached(Set<String> conversations, long readAt) {}

    private final CqlSession session;
    private final PreparedStatement mine;
    private final int maxConversations;
    private final long ttlMillis;
    private final LongSupplier clock;
    private final Map<String, Cached> cache;

    public SharedConversations(
            CqlSession session,
            String keyspace,
            int maxConversations,
            Duration ttl,
            int maxCachedUsers,
            LongSupplier clock) {
        this.session = session;
        this.mine = session.prepare(
                "SELECT conversation_id FROM " + keyspace + ".conversations_by_user WHERE user_id = ? LIMIT ?");
        this.maxConversations = maxConversations;
        this.ttlMillis = ttl.toMillis();
        this.clock = clock;
        this.cache = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
                return size() > maxCachedUsers;
            }
        });
    }

    /** True if {@code a} and {@code b} are one user or members of one conversation. */
    public boolean share(String a, String b) {
        if (a.equals(b)) {
            return true;
        }
        Set<String> mine = conversationsOf(a);
        if (mine.isEmpty()) {
            return false;
        }
        for (String c : conversationsOf(b)) {
            if (mine.contains(c)) {
                return true;
            }
        }
        return false;
    }

    private Set<String> conversationsOf(String userId) {
        long now = clock.getAsLong();
        Cached cached = cache.get(userId);
        if (cached != null && now - cached.readAt() < ttlMillis) {
            return cached.conversations();
        }
        Set<String> ids = new HashSet<>();
        for (Row row : session.execute(mine.bind(userId, maxConversations))) {
            ids.add(row.getString(0));
        }
        cache.put(userId, new Cached(Set.copyOf(ids), now));
        return ids;
    }
}
