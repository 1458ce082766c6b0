package dev.parley.topology;

import dev.parley.topology.routing.SessionDirectory;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sessions for topology tests: who is on which edge, the edges known alive, and a switch that plays
 * an unreachable Redis.
 */
final class InMemorySessionDirectory implements SessionDirectory {

    private final Map<String, Set<String>> edgesByUser = new HashMap<>();
    private final AtomicInteger lookups = new AtomicInteger();
    private final Set<String> knownLiveEdges = new TreeSet<>();
    private boolean unreachable;
    private RuntimeException failure;

    void connect(String user, String edge) {
        edgesByUser.computeIfAbsent(user, u -> new TreeSet<>()).add(edge);
    }

    void disconnect(String user) {
        edgesByUser.remove(user);
    }

    void knownLive(String... edges) {
        knownLiveEdges.addAll(List.of(edges));
    }

    void unreachable(boolean value) {
        this.unreachable = value;
    }

    /** Plays a bug in the directory: every lookup throws this until set back to null. */
    void failWith(RuntimeException value) {
        this.failure = value;
    }

    int lookups() {
        return lookups.get();
    }

    @Override
    public Map<String, Set<String>> locate(Collection<String> userIds) {
        lookups.incrementAndGet();
        if (failure != null) {
            throw failure;
        }
        if (unreachable) {
            throw new UnavailableException("unreachable (test)", null);
        }
        Map<String, Set<String>> byEdge = new HashMap<>();
        for (String user : userIds) {
            for (String edge : edgesByUser.getOrDefault(user, Set.of())) {
                byEdge.computeIfAbsent(edge, e -> new TreeSet<>()).add(user);
            }
        }
        return byEdge;
    }

    @Override
    public Set<String> knownLiveEdges() {
        return Set.copyOf(knownLiveEdges);
    }
}
