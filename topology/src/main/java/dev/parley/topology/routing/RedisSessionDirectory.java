package dev.parley.topology.routing;

import dev.parley.schema.RedisCircuitBreaker;
import dev.parley.schema.RedisClients;
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
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.PipelineBase;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Sessions from Redis: one pipelined round trip reads the session hashes (connection -> edge) of
 * recipients not in the cache, a second checks the heartbeats of edges not seen in the last second.
 *
 * <p>The cache is what lets one stream thread route thousands of messages a second: without it,
 * every message waited for a Redis round trip (measured: 145 msgs/s at most on the benchmark
 * machine). It is kept exact by invalidation, not by a short TTL: edges publish a user id on
 * {@link RedisKeys#sessionsChanged()} whenever that user's sessions change, and a listener thread
 * here drops the entry. A read that raced with an invalidation is not cached. While the listener is
 * not subscribed (start-up, Redis restart) the cache is bypassed and emptied, and entries older than
 * {@link #CACHE_TTL} are read again anyway, bounding the damage of a lost pub/sub message.
 * An edge whose
 * heartbeat expired is treated as gone, so a crashed edge never gets deliveries (its topic may be
 * deleted) and its users count as offline.
 *
 * <p>Every Redis call goes through a {@link RedisCircuitBreaker}: Redis down or slow (past the
 * client's socket timeout) a few times in a row and lookups fail at once with {@link
 * UnavailableException} instead of each holding the partition for the timeout; the router then
 * delivers to {@link #knownLiveEdges()}. That set is read every {@link #KNOWN_EDGES_REFRESH} (the
 * edges' {@link RedisKeys#edges()} list, then their heartbeats) and used for at most {@link
 * #KNOWN_EDGES_MAX_AGE} after the last successful read, well below the day after which a dead edge's
 * topic may be removed. Failures are logged at most once per minute; the stream thread never dies
 * for them.
 */
public final class RedisSessionDirectory implements SessionDirectory {

    private static final Logger log = LoggerFactory.getLogger(RedisSessionDirectory.class);
    private static final long LIVENESS_CACHE_NANOS = Duration.ofSeconds(1).toNanos();
    private static final long ERROR_LOG_INTERVAL_NANOS = Duration.ofMinutes(1).toNanos();
    static final Duration CACHE_TTL = Duration.ofSeconds(10);
    static final Duration KNOWN_EDGES_REFRESH = Duration.ofSeconds(5);
    static final Duration KNOWN_EDGES_MAX_AGE = Duration.ofHours(1);

    private final UnifiedJedis redis;
    private final RedisCircuitBreaker breaker;
    private final RedisKeys keys;
    private final LongSupplier nanoClock;
    private final Map<String, CachedLiveness> liveness = new ConcurrentHashMap<>();
    private final Map<String, CachedSessions> cache = new ConcurrentHashMap<>();
    private final Invalidations invalidations = new Invalidations();
    private final Thread listener;
    private volatile boolean listening;
    private volatile boolean closed;
    private volatile long lastErrorLog = Long.MIN_VALUE;
    private volatile long lastSweep;
    private volatile Set<String> knownLiveEdges = Set.of();
    private volatile long knownLiveEdgesAt;
    private volatile boolean knownLiveEdgesRead;

    /** With a breaker opening after 3 failures for 1 s, on the system clock. */
    public RedisSessionDirectory(UnifiedJedis redis, RedisKeys keys) {
        this(redis, new RedisCircuitBreaker("session directory", 3, Duration.ofSeconds(1), System::nanoTime), keys);
    }

    public RedisSessionDirectory(UnifiedJedis redis, RedisCircuitBreaker breaker, RedisKeys keys) {
        this(redis, breaker, keys, System::nanoTime);
    }

    /** With the clock the cache and liveness ages are measured on (tests move it). */
    public RedisSessionDirectory(
            UnifiedJedis redis, RedisCircuitBreaker breaker, RedisKeys keys, LongSupplier nanoClock) {
        this.redis = redis;
        this.breaker = breaker;
        this.keys = keys;
        this.nanoClock = nanoClock;
        this.lastSweep = nanoClock.getAsLong();
        this.listener = new Thread(this::listen, "parley-session-invalidations");
        listener.setDaemon(true);
        listener.start();
    }

    /** True once invalidations flow, so cached sessions can be trusted. */
    public boolean caching() {
        return listening;
    }

    private void listen() {
        while (!closed) {
            try {
                redis.subscribe(invalidations, keys.sessionsChanged());
            } catch (JedisException e) {
                if (closed) {
                    return;
                }
                log.debug("session invalidations interrupted, retrying: {}", e.toString());
            }
            listening = false;
            cache.clear();
            try {
                Thread.sleep(1_000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private final class Invalidations extends JedisPubSub {
        @Override
        public void onSubscribe(String channel, int subscribedChannels) {
            cache.clear(); // anything cached before now may have missed an invalidation
            listening = true;
        }

        @Override
        public void onMessage(String channel, String userId) {
            cache.put(userId, CachedSessions.invalidated(nanoClock.getAsLong()));
        }
    }

    @Override
    public Map<String, Set<String>> locate(Collection<String> userIds) {
        try {
            refreshKnownLiveEdges();
            Map<String, Set<String>> byEdge = sessionsByEdge(userIds);
            byEdge.keySet().retainAll(liveEdges(byEdge.keySet()));
            return byEdge;
        } catch (RuntimeException e) {
            if (!(e instanceof RedisCircuitBreaker.OpenException) && !breaker.isClosed()) {
                // the breaker just opened: idle connections are dead or stuck too, and each would
                // cost a later probe a failure of its own
                RedisClients.clearIdle(redis);
            }
            long now = nanoClock.getAsLong();
            if (lastErrorLog == Long.MIN_VALUE || now - lastErrorLog > ERROR_LOG_INTERVAL_NANOS) {
                lastErrorLog = now;
                log.warn(
                        "session directory unavailable, delivering to all {} known live edges: {}",
                        knownLiveEdges().size(),
                        e.toString());
            }
            throw new UnavailableException("sessions cannot be read", e);
        }
    }

    @Override
    public Set<String> knownLiveEdges() {
        boolean usable = knownLiveEdgesRead && nanoClock.getAsLong() - knownLiveEdgesAt < KNOWN_EDGES_MAX_AGE.toNanos();
        return usable ? knownLiveEdges : Set.of();
    }

    /** Every {@link #KNOWN_EDGES_REFRESH}: the edges that beat in the last day, then which are alive. */
    private void refreshKnownLiveEdges() {
        long now = nanoClock.getAsLong();
        if (knownLiveEdgesRead && now - knownLiveEdgesAt < KNOWN_EDGES_REFRESH.toNanos()) {
            return;
        }
        Set<String> live;
        try {
            List<String> edges = breaker.call(() -> redis.zrange(keys.edges(), 0, -1));
            live = edges.isEmpty() ? Set.of() : Set.copyOf(heartbeats(edges));
        } catch (RuntimeException e) {
            log.debug("known live edges not refreshed: {}", e.toString());
            return; // keep the last set; the lookup itself may still be answered from the cache
        }
        knownLiveEdges = live;
        knownLiveEdgesAt = now;
        knownLiveEdgesRead = true;
    }

    private Map<String, Set<String>> sessionsByEdge(Collection<String> userIds) {
        long now = nanoClock.getAsLong();
        boolean useCache = listening;
        Map<String, Set<String>> byEdge = new HashMap<>();
        List<String> misses = new ArrayList<>();
        for (String user : new HashSet<>(userIds)) {
            CachedSessions cached = useCache ? cache.get(user) : null;
            if (cached != null && cached.usable(now)) {
                add(byEdge, user, cached.edges());
            } else {
                misses.add(user);
            }
        }
        if (misses.isEmpty()) {
            return byEdge;
        }
        // the replies are read inside the breaker: a cluster pipeline that could not reach a node
        // does not throw, it leaves that node's replies unset, and reading one is the failure
        List<Set<String>> replies = breaker.call(() -> {
            List<Response<Map<String, String>>> r = new ArrayList<>(misses.size());
            try (PipelineBase pipeline = redis.pipelined()) {
                for (String user : misses) {
                    r.add(pipeline.hgetAll(keys.sessions(user)));
                }
                pipeline.sync();
            }
            return r.stream().map(reply -> Set.copyOf(reply.get().values())).toList();
        });
        for (int i = 0; i < misses.size(); i++) {
            String user = misses.get(i);
            Set<String> edges = replies.get(i);
            add(byEdge, user, edges);
            if (useCache) {
                // an invalidation that arrived after this read started wins: the read may predate it
                cache.compute(
                        user,
                        (k, current) -> current != null && current.invalidatedAfter(now)
                                ? current
                                : new CachedSessions(edges, now, false));
            }
        }
        sweep(now);
        return byEdge;
    }

    private static void add(Map<String, Set<String>> byEdge, String user, Set<String> edges) {
        for (String edge : edges) {
            byEdge.computeIfAbsent(edge, e -> new HashSet<>()).add(user);
        }
    }

    /** Drops expired entries now and then, so the cache holds only recently routed users. */
    private void sweep(long now) {
        if (now - lastSweep > CACHE_TTL.toNanos()) {
            lastSweep = now;
            cache.values().removeIf(c -> !c.fresh(now));
        }
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
            Set<String> alive = heartbeats(unknown);
            for (String edge : unknown) {
                liveness.put(edge, new CachedLiveness(alive.contains(edge), now));
            }
            live.addAll(alive);
        }
        return live;
    }

    /** One pipelined round trip: which of {@code edges} have a heartbeat. */
    private Set<String> heartbeats(List<String> edges) {
        return breaker.call(() -> {
            List<Response<Boolean>> replies = new ArrayList<>(edges.size());
            try (PipelineBase pipeline = redis.pipelined()) {
                for (String edge : edges) {
                    replies.add(pipeline.exists(keys.edgeHeartbeat(edge)));
                }
                pipeline.sync();
            }
            Set<String> alive = new HashSet<>();
            for (int i = 0; i < edges.size(); i++) {
                if (replies.get(i).get()) {
                    alive.add(edges.get(i));
                }
            }
            return alive;
        });
    }

    @Override
    public void close() {
        closed = true;
        // never throws: a failed unsubscribe (Redis already gone) must not leave the pool open
        try {
            if (invalidations.isSubscribed()) {
                invalidations.unsubscribe();
            }
        } catch (RuntimeException e) {
            log.debug("unsubscribing from session invalidations: {}", e.toString());
        }
        listener.interrupt();
        redis.close();
    }

    private record CachedLiveness(boolean alive, long checkedAt) {}

    /** A user's edges as read at {@code at}, or (invalidated) the moment they were known to change. */
    private record CachedSessions(Set<String> edges, long at, boolean invalidated) {
        static CachedSessions invalidated(long at) {
            return new CachedSessions(Set.of(), at, true);
        }

        boolean fresh(long now) {
            return now - at < CACHE_TTL.toNanos();
        }

        boolean usable(long now) {
            return !invalidated && fresh(now);
        }

        boolean invalidatedAfter(long readStart) {
            return invalidated && at >= readStart;
        }
    }
}
