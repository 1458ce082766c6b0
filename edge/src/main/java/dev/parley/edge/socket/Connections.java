package dev.parley.edge.socket;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The sockets on this edge, by connection id and by user (a user may have several devices). */
public final class Connections {

    private final Map<String, ClientConnection> byId = new ConcurrentHashMap<>();
    private final Map<String, Set<ClientConnection>> byUser = new ConcurrentHashMap<>();
    private volatile UserListener listener = new UserListener() {};
    private final java.util.concurrent.atomic.AtomicInteger early = new java.util.concurrent.atomic.AtomicInteger();

    /** Told when a user's first socket on this edge opens and its last closes (on the I/O thread: hand off). */
    public interface UserListener {
        default void firstSocket(String userId) {}

        default void lastSocketClosed(String userId) {}
    }

    public void listen(UserListener value) {
        this.listener = value;
    }

    void add(ClientConnection c) {
        if (byId.put(c.id(), c) == null && c.wantsEarly()) {
            early.incrementAndGet();
        }
        boolean[] first = {false};
        byUser.compute(c.userId(), (u, set) -> {
            Set<ClientConnection> s = set == null ? ConcurrentHashMap.newKeySet() : set;
            first[0] = s.isEmpty();
            s.add(c);
            return s;
        });
        if (first[0]) {
            listener.firstSocket(c.userId());
        }
    }

    /** Removes the connection; true if it was the user's last one on this edge. */
    boolean remove(ClientConnection c) {
        if (byId.remove(c.id()) != null && c.wantsEarly()) {
            early.decrementAndGet();
        }
        boolean[] last = {false};
        byUser.computeIfPresent(c.userId(), (u, set) -> {
            set.remove(c);
            last[0] = set.isEmpty();
            return set.isEmpty() ? null : set;
        });
        if (last[0]) {
            listener.lastSocketClosed(c.userId());
        }
        return last[0];
    }

    public ClientConnection byId(String connectionId) {
        return connectionId == null ? null : byId.get(connectionId);
    }

    public Set<ClientConnection> ofUser(String userId) {
        return byUser.getOrDefault(userId, Set.of());
    }

    /** Every open socket's connection id, by user: what the session hashes should hold for this edge. */
    public Map<String, List<String>> connectionIdsByUser() {
        Map<String, List<String>> out = new HashMap<>();
        byUser.forEach((user, set) ->
                out.put(user, set.stream().map(ClientConnection::id).toList()));
        return out;
    }

    public Collection<ClientConnection> all() {
        return List.copyOf(byId.values());
    }

    public List<String> users() {
        return List.copyOf(byUser.keySet());
    }

    /** Open sockets that asked for early frames: with none, the early reader need not decode a record. */
    public int earlySockets() {
        return early.get();
    }

    public int size() {
        return byId.size();
    }
}
