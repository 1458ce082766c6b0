package dev.parley.edge.auth;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

/**
 * Verifies a login in the same time whether or not the username exists: an unknown username is
 * checked against a dummy hash made by the same hasher (so the same cost), so the answer time no
 * longer tells which names have accounts (it was 7 ms for an unknown name, 81 ms for a known one).
 */
public final class CredentialCheck {

    private final PasswordHasher hasher;
    private final String dummyHash;

    public CredentialCheck(PasswordHasher hasher) {
        this.hasher = hasher;
        byte[] random = new byte[18];
        new SecureRandom().nextBytes(random);
        this.dummyHash = hasher.hash(Base64.getEncoder().encodeToString(random));
    }

    /** The account if it exists and {@code password} is its password; always runs one verification. */
    public Optional<AccountStore.Account> verify(Optional<AccountStore.Account> found, String password) {
        boolean matches = hasher.matches(
                password, found.map(AccountStore.Account::passwordHash).orElse(dummyHash));
        return matches ? found : Optional.empty();
    }
}
