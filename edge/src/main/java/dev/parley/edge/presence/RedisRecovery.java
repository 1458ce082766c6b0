package dev.parley.edge.presence;

import dev.parley.edge.socket.ClientConnection;
import dev.parley.edge.socket.Connections;
import dev.parley.schema.RedisCircuitBreaker;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.JedisPooled;

/**
 * Brings the edge back after a Redis outage. While the breaker is open it pings Redis every {@code
 * probeEvery} (traffic alone may not probe: an idle edge still has to notice). Once Redis answers
 * and session writes were skipped, it rewrites this edge's heartbeat and every live socket's
 * session ({@link SessionStore#restore}), so routing finds them again, then sends every connected
 * client a {@code resync} frame: during the outage the router may have treated them as offline, so
 * they fetch history after their last seq. All of it runs on the single timer thread, one at a time.
 */
public final class RedisRecovery {

    private static final Logger log = LoggerFactory.getLogger(RedisRecovery.class);

    private final JedisPooled redis;
    private final RedisCircuitBreaker breaker;
    private final SessionStore sessions;
    private final Connections connections;
    private final String resyncFrame;

    public RedisRecovery(
            JedisPooled redis,
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
        breaker.onRecovery(() -> timer.execute(this::tick));
        timer.scheduleWithFixedDelay(this::tick, probeEvery.toMillis(), probeEvery.toMillis(), TimeUnit.MILLISECONDS);
    }

    void tick() {
        if (!breaker.isClosed()) {
            try {
                breaker.call(redis::ping);
            } catch (RuntimeException e) {
                return; // still down (or another call is the probe): the breaker counted it, try next tick
            }
        }
        if (sessions.needsRestore()) {
            restore();
        }
    }

    private void restore() {
        try {
            sessions.restore(connections::connectionIdsByUser);
        } catch (RuntimeException e) {
            log.warn("Redis answers again but restoring sessions failed, retrying: {}", e.toString());
            return;
        }
        Collection<ClientConnection> all = connections.all();
        all.forEach(c -> c.send(resyncFrame));
        log.info("Redis is back: sessions of {} sockets rewritten, each told to resync", all.size());
    }
}
