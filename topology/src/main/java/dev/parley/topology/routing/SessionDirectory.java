package dev.parley.topology.routing;

import java.util.Collection;
import java.util.Map;
import java.util.Set;

/**
 * Where users are connected. Redis in production ({@link RedisSessionDirectory}), in memory in
 * topology tests.
 */
public interface SessionDirectory extends AutoCloseable {

    /**
     * The live edges holding a session of any of {@code userIds}, each with those users. A user
     * absent from every set is offline. Never throws: if the directory is unreachable everyone is
     * offline (notifications go out and clients catch up by seq on reconnect).
     */
    Map<String, Set<String>> locate(Collection<String> userIds);

    @Override
    default void close() {}
}
