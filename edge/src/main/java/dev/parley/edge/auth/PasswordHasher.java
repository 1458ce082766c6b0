package dev.parley.edge.auth;

/** Turns passwords into stored hashes and checks them; slow on purpose, so worker threads only. */
public interface PasswordHasher {

    /** A new hash of {@code password} in the current format. */
    String hash(String password);

    /** Whether {@code password} is the one {@code storedHash} was made from (any format ever stored). */
    boolean matches(String password, String storedHash);
}
