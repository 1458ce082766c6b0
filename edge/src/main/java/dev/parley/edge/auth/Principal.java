package dev.parley.edge.auth;

/**
 * Who a valid token speaks for. {@code displayName} comes from the token's {@code name} claim
 * (ours sets it at login; an external issuer may) and may be null; it names the sender in pushes
 * and is as fresh as the token.
 */
public record Principal(String userId, String displayName) {}
