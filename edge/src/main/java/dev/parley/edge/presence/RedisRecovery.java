package dev.parley.edge.presence;

import dev.parley.edge.socket.ClientConnection;
import dev.parley.edge.socket.Connections;
import dev.parley.schema.RedisCircuitBreaker;
import dev.parley.schema.RedisClients;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;

/**
 * Notices Redis going and coming back, and brings the edge back after an outage. It pings Redis
 * every {@code probeEvery} through the breaker (traffic alone may not: an idle edge has to notice
 * too). Once Redis answers after the breaker had opened, or after a session write was skipped, it
 * rewrites this edge's heartbeat and every live socket's session ({@link SessionStore#restore}), so
 * routing finds them again, then sends every connected client a {@code resync} frame: during the
 * outage the router may have missed them or counted them offline, so they fetch history after their
 * last seq. All of it runs on the single timer thread, one at a time.
 */
public final class RedisRecovery {

    private static final Logger log = LoggerFactory.getLogger(RedisRecovery.class);

    private final UnifiedJedis redis;
    private final RedisCircuitBreaker breaker;
    private final SessionStore sessions;
    private final Connections connections;
    private final String resyncFrame;
    private volatile boolean recovered;

    public RedisRecovery(
            UnifiedJedis redis,
            RedisCircuitBreaker breaker,
            SessionStore sessions,
            Connections connections,
            String resyncFrame) {
        this.redis = redis;
        this.breaker = breaker;
        this.sessions = sessions;
        this.connections = connections;
        this.resyncFrame = resyncFrame;
    }

    public void start(ScheduledExecutorService timer, Duration probeEvery) {
        breaker.onRecovery(() -> {
            recovered = true;
            timer.execute(this::tick);
        });
        timer.scheduleWithFixedDelay(this::tick, probeEvery.toMillis(), probeEvery.toMillis(), TimeUnit.MILLISECONDS);
    }

    void tick() {
        try {
            breaker.call(redis::ping);
        } catch (RedisCircuitBreaker.OpenException e) {
            return; // open, or another call is the probe: try next tick
        } catch (RuntimeException e) {
            // the breaker counted it; idle connections are dead or stuck too, and each would cost the
            // next probe a failure of its own: open fresh ones instead
            RedisClients.clearIdle(redis);
            return;
        }
        if (recovered || sessions.needsRestore()) {
            recovered = false;
            restore();
        }
    }

    private void restore() {
        try {
            sessions.restore(connections::connectionIdsByUser);
        } catch (RuntimeException e) {
            // needsRestore() is set again, so the next tick retries
            log.warn("Redis answers again but restoring sessions failed, retrying: {}", e.toString());
            return;
        }
        Collection<ClientConnection> all = connections.all();
        all.forEach(c -> c.send(resyncFrame));
        log.info("Redis is back: sessions of {} sockets rewritten, each told to resync", all.size());
    }
}
