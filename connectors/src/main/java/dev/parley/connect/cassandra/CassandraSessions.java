package dev.parley.connect.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/** Opens a driver session the way both sinks need it: explicit contact points, short timeouts. */
public final class CassandraSessions {

    private CassandraSessions() {}

    /** {@code keyspace} null: none selected (the Cassandra sink reads schema_migrations by qualified name). */
    public static CqlSession open(List<String> contactPoints, String datacenter, String keyspace, Duration timeout) {
        DriverConfigLoader loader = DriverConfigLoader.programmaticBuilder()
                .withDuration(DefaultDriverOption.METADATA_SCHEMA_WINDOW, Duration.ofMillis(10))
                .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, timeout)
                .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, Duration.ofSeconds(5))
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
