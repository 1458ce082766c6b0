package dev.parley.edge.http;

import com.datastax.oss.driver.api.core.CqlSession;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.edge.ApiException;
import dev.parley.edge.ClientInput;
import dev.parley.edge.EdgeMetrics;
import dev.parley.edge.presence.PresenceHub;
import dev.parley.edge.presence.RateLimiters;
import dev.parley.edge.presence.SessionStore;
import dev.parley.schema.ErrorCode;
import dev.parley.schema.RedisCircuitBreaker;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.PathTemplateMatch;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.ConsumerGroupState;
import redis.clients.jedis.UnifiedJedis;

/** Presence lookups, {@code /healthz}, {@code /readyz} and {@code /metrics}. */
public final class StatusEndpoints {

    private final SessionStore sessions;
    private final PresenceHub presence;
    private final UnifiedJedis redis;
    private final RedisCircuitBreaker redisBreaker;
    private final CqlSession cassandra;
    private final Admin kafka;
    private final String topologyGroup;
    private final EdgeMetrics metrics;
    private final RateLimiters limits;
    private final JsonExchange io;

    public StatusEndpoints(
            SessionStore sessions,
            PresenceHub presence,
            UnifiedJedis redis,
            RedisCircuitBreaker redisBreaker,
            CqlSession cassandra,
            Admin kafka,
            String topologyGroup,
            EdgeMetrics metrics,
            RateLimiters limits,
            JsonExchange io) {
        this.sessions = sessions;
        this.presence = presence;
        this.redis = redis;
        this.redisBreaker = redisBreaker;
        this.cassandra = cassandra;
        this.kafka = kafka;
        this.topologyGroup = topologyGroup;
        this.metrics = metrics;
        this.limits = limits;
        this.io = io;
    }

    /** {@code GET /v1/users/{id}/presence} */
    public void presence(HttpServerExchange exchange, String userId) {
        String user = exchange.getAttachment(PathTemplateMatch.ATTACHMENT_KEY)
                .getParameters()
                .get("id");
        if (!ClientInput.isIdentifier(user)) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "invalid user id");
        }
        // the bucket presence.subscribe takes: asking for one user at a time over HTTP must not outrun it
        limits.acquire(RateLimiters.Action.PRESENCE, userId);
        if (!presence.visible(userId, user)) {
            // the same answer for a stranger as for nobody: presence must not tell who exists
            throw new ApiException(ErrorCode.NOT_FOUND, "no such user among your conversations");
        }
        ObjectNode out = io.json().createObjectNode().put("user", user);
        out.put("status", sessions.isOnline(user) ? "online" : "offline");
        Long lastSeen = sessions.lastSeen(user);
        if (lastSeen != null) {
            out.put("last_seen", lastSeen);
        }
        io.send(exchange, 200, out);
    }

    /** Liveness: the process answers. */
    public void healthz(HttpServerExchange exchange, String unused) {
        io.send(exchange, 200, io.json().createObjectNode().put("status", "ok"));
    }

    /**
     * Readiness: Kafka and Cassandra answer and the conversation topology has members; otherwise 503.
     * Redis down is 200 with status {@code degraded}: chat goes on without it (local rate limits,
     * delivery to every edge), and failing readiness on every edge at once would turn a Redis outage
     * into a full one. The Redis check goes through the breaker: instant while it is open, at most
     * {@code redis.timeout.ms} otherwise.
     */
    public void readyz(HttpServerExchange exchange, String unused) {
        ObjectNode checks = io.json().createObjectNode();
        boolean ready =
                check(checks, "kafka", () -> kafka.describeCluster().nodes().get(2, TimeUnit.SECONDS));
        boolean redisUp = check(checks, "redis", () -> redisBreaker.call(redis::ping));
        ready &= check(checks, "cassandra", () -> cassandra.execute("SELECT release_version FROM system.local"));
        ready &= check(checks, "topology", () -> {
            var group = kafka.describeConsumerGroups(List.of(topologyGroup))
                    .all()
                    .get(2, TimeUnit.SECONDS)
                    .get(topologyGroup);
            if (group.members().isEmpty() || group.state() != ConsumerGroupState.STABLE) {
                throw new IllegalStateException("group " + topologyGroup + " is " + group.state());
            }
            return group;
        });
        ObjectNode out =
                io.json().createObjectNode().put("status", !ready ? "not ready" : redisUp ? "ready" : "degraded");
        out.set("checks", checks);
        io.send(exchange, ready ? 200 : 503, out);
    }

    public void metrics(HttpServerExchange exchange, String unused) {
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; version=0.0.4");
        exchange.getResponseSender().send(metrics.scrape(), StandardCharsets.UTF_8);
    }

    private interface Probe {
        Object run() throws Exception;
    }

    private static boolean check(ObjectNode checks, String name, Probe probe) {
        try {
            probe.run();
            checks.put(name, "ok");
            return true;
        } catch (Exception e) {
            checks.put(name, e.getClass().getSimpleName() + ": " + e.getMessage());
            return false;
        }
    }
}
