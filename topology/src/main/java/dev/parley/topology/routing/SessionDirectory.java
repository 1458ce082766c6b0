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
     * absent from every set is offline.
     *
     * @throws UnavailableException if sessions cannot be read now (Redis down, slow, or its breaker
     *     open); the caller then falls back to {@link #knownLiveEdges()}
     */
    Map<String, Set<String>> locate(Collection<String> userIds);

    /**
     * The edges last known to be alive, kept for when {@link #locate} is unavailable: the router then
     * sends every recipient to each of them (an edge drops recipients it holds no socket for). May
     * be stale by the directory's refresh interval, and empty if it never could read the edges.
     */
    Set<String> knownLiveEdges();

    @Override
    default void close() {}

    /** Sessions cannot be looked up now; cheap to throw (no stack trace). */
    final class UnavailableException extends RuntimeException {
        public UnavailableException(String message, Throwable cause) {
            super(message, cause, false, false);
        }
    }
}
