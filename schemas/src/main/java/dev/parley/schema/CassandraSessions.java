package dev.parley.schema;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * Opens a driver session the way the edge and the sinks need it: explicit contact points, short
 * timeouts, a node that came back reached again within seconds.
 */
public final class CassandraSessions {

    /**
     * The longest wait between the driver's attempts to reach a node it lost. Its default doubles
     * up to 60 s, so a sink (or an edge) whose Cassandra came back after a one-minute outage sat
     * idle for up to a minute more (in {@code CassandraSinkIT}, about 50 s) before writing again;
     * an attempt every 5 s at most to a node that is down costs next to nothing.
     */
    private static final Duration RECONNECTION_MAX_DELAY = Duration.ofSeconds(5);

    private CassandraSessions() {}

    /** {@code keyspace} null: none selected (the Cassandra sink reads schema_migrations by qualified name). */
    public static CqlSession open(List<String> contactPoints, String datacenter, String keyspace, Duration timeout) {
        DriverConfigLoader loader = DriverConfigLoader.programmaticBuilder()
                .withDuration(DefaultDriverOption.METADATA_SCHEMA_WINDOW, Duration.ofMillis(10))
                .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, timeout)
                .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, Duration.ofSeconds(5))
                .withDuration(DefaultDriverOption.RECONNECTION_MAX_DELAY, RECONNECTION_MAX_DELAY)
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
