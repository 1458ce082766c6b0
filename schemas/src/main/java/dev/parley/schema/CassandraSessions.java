package dev.parley.schema;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * Opens a driver session the way the edge and the sinks need it: explicit contact points, short
 * timeouts, a node that came back reached again within seconds, and every read and write at {@code
 * LOCAL_QUORUM}.
 */
public final class CassandraSessions {

    /**
     * The longest wait between the driver's attempts to reach a node it lost. Its default doubles
     * up to 60 s, so a sink (or an edge) whose Cassandra came back after a one-minute outage sat
     * idle for up to a minute more (in {@code CassandraSinkIT}, about 50 s) before writing again;
     * an attempt every 5 s at most to a node that is down costs next to nothing.
     */
    private static final Duration RECONNECTION_MAX_DELAY = Duration.ofSeconds(5);

    /**
     * Reads and writes wait for a majority of the local datacenter's replicas. The driver's default,
     * {@code LOCAL_ONE}, acks a write on one replica and may read another: on a cluster (the compose
     * file's keyspace has three replicas) a history page read right after the sink moved {@code
     * last_seq} could miss rows below it, a registered device or an uploaded file's descriptor could
     * be missing for a moment. A quorum write and a quorum read always share a replica, so whatever
     * one process wrote, every other process reads. On one node (replication factor 1, {@code ./parley
     * up}) the quorum is that node: nothing changes. The price on a cluster is availability: with 3
     * replicas, one node may be down; with 2 none, so run 1 or 3 or more.
     */
    static final String CONSISTENCY = "LOCAL_QUORUM";

    private CassandraSessions() {}

    /** {@code keyspace} null: none selected (the Cassandra sink reads schema_migrations by qualified name). */
    public static CqlSession open(List<String> contactPoints, String datacenter, String keyspace, Duration timeout) {
        DriverConfigLoader loader = DriverConfigLoader.programmaticBuilder()
                .withDuration(DefaultDriverOption.METADATA_SCHEMA_WINDOW, Duration.ofMillis(10))
                .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, timeout)
                .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, Duration.ofSeconds(5))
                .withDuration(DefaultDriverOption.RECONNECTION_MAX_DELAY, RECONNECTION_MAX_DELAY)
                .withString(DefaultDriverOption.REQUEST_CONSISTENCY, CONSISTENCY)
                .build();
        var builder = CqlSession.builder().withLocalDatacenter(datacenter).withConfigLoader(loader);
        if (keyspace != null) {
            builder.withKeyspace(keyspace);
        }
        for (String point : contactPoints) {
            int colon = point.lastIndexOf(':');
            builder.addContactPoint(
                    new InetSocketAddress(point.substring(0, colon), Integer.parseInt(point.substring(colon + 1))));
        }
        return builder.build();
    }
}
