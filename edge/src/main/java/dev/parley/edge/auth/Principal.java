package dev.parley.edge.auth;

import java.time.Instant;

/**
 * Who a valid token speaks for. {@code displayName} comes from the token's {@code name} claim
 * (ours sets it at login; an external issuer may) and may be null; it names the sender in pushes
 * and is as fresh as the token. {@code expiresAt} is the token's {@code exp}: a socket opened with
 * it is closed then.
 */
public record Principal(String userId, String displayName, Instant expiresAt) {}
