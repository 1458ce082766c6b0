package dev.parley.schema;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import redis.clients.jedis.ClusterCommandObjects;
import redis.clients.jedis.ClusterPipeline;
import redis.clients.jedis.Connection;
import redis.clients.jedis.ConnectionPool;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.providers.ClusterConnectionProvider;

/**
 * The one factory of the Redis client of an edge and of the topology's router: a single Redis
 * ({@code redis://host:port}, {@code rediss://} for TLS, Jedis's URI syntax) or a Redis Cluster
 * ({@code redis-cluster://host:port,host:port,...}: seed nodes, any subset of the cluster; the
 * client learns the rest and follows slot moves and failovers). Both are Jedis's {@link
 * UnifiedJedis}, so callers are written once. What the callers must keep to on a cluster: a
 * script or transaction touches keys of one slot only (each of Parley's scripts touches one key),
 * and a multi-key read is a pipeline of single-key commands (Jedis's cluster pipeline sends each
 * to the node holding its slot), never MGET or EXISTS over keys of several users or edges.
 * Pub/sub is classic PUBLISH / SUBSCRIBE, which a cluster relays to every node, so a subscriber
 * on any node hears every publish: sharded pub/sub (SPUBLISH) needs Redis 7, and the server
 * shipped for the embedded default and tests is 6.2.
 *
 * <p>Every wait is bounded by {@code timeoutMs}: connect, read, borrowing a pooled connection
 * (the pool's default is to wait forever, which is how a hung Redis used to stall every worker
 * thread), and on a cluster also the retries after a node stops answering (redirections and slot
 * map refreshes during a failover), so a caller's circuit breaker sees the failure in time.
 */
public final class RedisClients {

    /** Scheme of a cluster seed list in {@code redis.url}. */
    public static final String CLUSTER_SCHEME = "redis-cluster";

    private static final int CLUSTER_MAX_ATTEMPTS = 3;

    private RedisClients() {}

    /**
     * @param poolSize connections per Redis node (each cluster node has its own pool)
     * @throws IllegalArgumentException for a URL of neither form (named in the message)
     */
    public static UnifiedJedis connect(String url, int timeoutMs, int poolSize) {
        ConnectionPoolConfig pool = new ConnectionPoolConfig();
        pool.setMaxTotal(poolSize);
        pool.setMaxIdle(poolSize);
        pool.setMaxWait(Duration.ofMillis(timeoutMs));
        if (!isCluster(url)) {
            URI uri = URI.create(url);
            if (uri.getHost() == null
                    || !(uri.getScheme().equals("redis") || uri.getScheme().equals("rediss"))) {
                throw new IllegalArgumentException("redis.url must be redis://host:port or " + CLUSTER_SCHEME
                        + "://host:port,host:port,...: " + url);
            }
            return new JedisPooled(pool, uri, timeoutMs, timeoutMs);
        }
        Seeds cluster = parseCluster(url);
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(timeoutMs)
                .socketTimeoutMillis(timeoutMs);
        if (cluster.user() != null) {
            config.user(cluster.user());
        }
        if (cluster.password() != null) {
            config.password(cluster.password());
        }
        return new Cluster(
                new ClusterConnectionProvider(cluster.seeds(), config.build(), pool),
                CLUSTER_MAX_ATTEMPTS,
                Duration.ofMillis(timeoutMs));
    }

    /**
     * A {@link JedisCluster} whose pipelines refresh the slot map when they cannot reach a node.
     * Single commands do that by themselves (Jedis's cluster executor), but a cluster pipeline only
     * logs the failure and leaves its replies unset, so after a failover the edge's pipelines
     * (heartbeat, session writes) would keep aiming at the dead primary until some single command
     * happened to hit the same slots.
     */
    private static final class Cluster extends JedisCluster {
        private final ClusterConnectionProvider nodes;

        Cluster(ClusterConnectionProvider nodes, int maxAttempts, Duration maxTotalRetries) {
            super(nodes, maxAttempts, maxTotalRetries);
            this.nodes = nodes;
        }

        @Override
        public ClusterPipeline pipelined() {
            return new ClusterPipeline(nodes, (ClusterCommandObjects) commandObjects) {
                @Override
                protected Connection getConnection(HostAndPort node) {
                    try {
                        return super.getConnection(node);
                    } catch (RuntimeException e) {
                        refreshSlots();
                        throw e;
                    }
                }
            };
        }

        void refreshSlots() {
            try {
                nodes.renewSlotCache();
            } catch (RuntimeException e) {
                // no node answers right now: the next failure asks again
            }
        }
    }

    /**
     * A {@code ConfigDef} validator of {@code redis.url}: a bad URL stops the start with the key
     * named, before anything connects.
     */
    public static void validateUrl(String name, Object value) {
        String url = value == null ? "" : value.toString();
        try {
            if (isCluster(url)) {
                parseCluster(url);
            } else {
                URI uri = URI.create(url);
                if (uri.getHost() == null
                        || !(uri.getScheme().equals("redis") || uri.getScheme().equals("rediss"))) {
                    throw new IllegalArgumentException("not redis://host:port");
                }
            }
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new org.apache.kafka.common.config.ConfigException(
                    name,
                    value,
                    "must be redis://host:port, rediss://host:port or " + CLUSTER_SCHEME
                            + "://host:port,host:port,...");
        }
    }

    public static boolean isCluster(String url) {
        return url.toLowerCase(Locale.ROOT).startsWith(CLUSTER_SCHEME + "://");
    }

    /**
     * Drops the idle connections of every node: after a failure they are dead or stuck too, and
     * each would cost a later call (the breaker's probe) a failure of its own.
     */
    public static void clearIdle(UnifiedJedis redis) {
        if (redis instanceof JedisPooled pooled) {
            pooled.getPool().clear();
        } else if (redis instanceof JedisCluster cluster) {
            cluster.getClusterNodes().values().forEach(ConnectionPool::clear);
            if (cluster instanceof Cluster ours) {
                ours.refreshSlots(); // a primary may have been replaced meanwhile
            }
        }
    }

    /** A parsed {@code redis-cluster://[user:password@]host:port,host:port} seed list. */
    record Seeds(Set<HostAndPort> seeds, String user, String password) {}

    static Seeds parseCluster(String url) {
        String rest = url.substring(CLUSTER_SCHEME.length() + 3);
        int slash = rest.indexOf('/');
        if (slash >= 0) {
            rest = rest.substring(0, slash);
        }
        String user = null;
        String password = null;
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            String credentials = rest.substring(0, at);
            rest = rest.substring(at + 1);
            int colon = credentials.indexOf(':');
            if (colon < 0) {
                password = credentials;
            } else {
                user = credentials.substring(0, colon).isEmpty() ? null : credentials.substring(0, colon);
                password = credentials.substring(colon + 1);
            }
        }
        Set<HostAndPort> seeds = new LinkedHashSet<>();
        for (String node : rest.split(",")) {
            String n = node.trim();
            int colon = n.lastIndexOf(':');
            if (n.isEmpty() || colon <= 0 || colon == n.length() - 1) {
                throw new IllegalArgumentException(
                        "redis.url: each cluster seed must be host:port, got '" + n + "' in " + url);
            }
            int port;
            try {
                port = Integer.parseInt(n.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("redis.url: bad port in cluster seed '" + n + "'", e);
            }
            seeds.add(new HostAndPort(n.substring(0, colon), port));
        }
        return new Seeds(seeds, user, password);
    }
}
