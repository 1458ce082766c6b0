package dev.parley.schema;

import java.time.Duration;

/**
 * The Redis key layout shared by edges (which write sessions and heartbeats) and the topology
 * (which reads them to route deliveries). Every key has a TTL so a crashed edge ages out.
 */
public final class RedisKeys {

    /** An edge refreshes its heartbeat at least this often... */
    public static final Duration EDGE_HEARTBEAT_INTERVAL = Duration.ofSeconds(10);
    /** ...and counts as dead once it has missed it for this long. */
    public static final Duration EDGE_HEARTBEAT_TTL = Duration.ofSeconds(30);
    /** A user's session hash outlives a crashed edge by at most this long. */
    public static final Duration SESSION_TTL = Duration.ofSeconds(90);

    private final String prefix;

    /** @param prefix namespace for all keys, {@code "parley:"} in production; tests use their own. */
    public RedisKeys(String prefix) {
        this.prefix = prefix;
    }

    public static RedisKeys production() {
        return new RedisKeys("parley:");
    }

    /** HASH connection_id -> edge_id: where a user's sockets are. */
    public String sessions(String userId) {
        return prefix + "sess:" + userId;
    }

    /** STRING epoch millis, 90 d TTL: when the user's last socket closed. */
    public String lastSeen(String userId) {
        return prefix + "seen:" + userId;
    }

    /** HASH tokens, ts: the user's command token bucket. */
    public String rateLimit(String userId) {
        return prefix + "rate:" + userId;
    }

    // abuse counters of the accounts endpoints (issue #14): STRING counts whose TTL is their window;
    // each script touches one key, so they need no shared hash tag

    /** STRING count, TTL = the failure window: wrong passwords for this (normalised) username. */
    public String loginFailuresOfAccount(String username) {
        return prefix + "authfail:user:" + username;
    }

    /** STRING count, TTL = the failure window: failed logins from this client address. */
    public String loginFailuresOfAddress(String address) {
        return prefix + "authfail:addr:" + address;
    }

    /** STRING count, TTL = the registration window: POST /v1/users attempts from this address. */
    public String registrationsOfAddress(String address) {
        return prefix + "register:addr:" + address;
    }

    /** STRING with a 1 s TTL: a typing event for this user and conversation went out recently. */
    public String typingThrottle(String userId, String conversationId) {
        return prefix + "typing:" + userId + ":" + conversationId;
    }

    /** STRING, the descriptor JSON of a stored media, TTL media.descriptor.cache.seconds: what send reads. */
    public String mediaDescriptor(String mediaId) {
        return prefix + "media:" + mediaId;
    }

    /** STRING count, TTL 2 d: bytes the user uploaded on this UTC day (yyyy-mm-dd), for media.max.bytes.per.day. */
    public String mediaBytesOfDay(String userId, String day) {
        return prefix + "mediaquota:" + userId + ":" + day;
    }

    /** STRING, the JSON state of an unfinished tus upload (owner, S3 upload id, offset, parts). */
    public String upload(String uploadId) {
        return prefix + "upload:" + uploadId;
    }

    /** Pub/sub channel carrying a user's presence changes. */
    public String presenceChannel(String userId) {
        return prefix + "presence:" + userId;
    }

    /** Pattern matching every presence channel. */
    public String presencePattern() {
        return prefix + "presence:*";
    }

    /**
     * Pub/sub channel: an edge publishes a user id here whenever that user's session hash changes,
     * so session caches (the topology's router) drop their copy at once.
     */
    public String sessionsChanged() {
        return prefix + "sessions-changed";
    }

    /**
     * ZSET edge_id -> epoch millis of its last heartbeat, pruned to a day and expiring a day after
     * the last heartbeat of any edge: the edges that exist, so the router can remember which were
     * alive and reach them all while sessions cannot be read.
     */
    public String edges() {
        return prefix + "edges";
    }

    /** STRING with TTL: present while the edge is alive. */
    public String edgeHeartbeat(String edgeId) {
        return prefix + "edge:" + edgeId;
    }
}
