package dev.parley.edge.auth;

import static org.assertj.core.api.Assertions.assertThat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import org.junit.jupiter.api.Test;

class BcryptPasswordHasherTest {

    // cost 4 keeps the test fast; the edge uses 10
    private final BcryptPasswordHasher hasher = new BcryptPasswordHasher(4);

    @Test
    void shouldVerifyTheRightPasswordOnly() {
        String hash = hasher.hash("correct horse");
        assertThat(hasher.matches("correct horse", hash)).isTrue();
        assertThat(hasher.matches("correct horsE", hash)).isFalse();
    }

    @Test
    void shouldHashPasswordsLongerThanBcryptsSeventyTwoBytes() {
        String first72 = "p".repeat(72);
        String hash = hasher.hash(first72 + "-the-rest-counts-too");
        assertThat(hasher.matches(first72 + "-the-rest-counts-too", hash)).isTrue();
        // plain bcrypt would ignore everything after byte 72 and accept these
        assertThat(hasher.matches(first72, hash)).isFalse();
        assertThat(hasher.matches(first72 + "-another-ending", hash)).isFalse();
        String multiByte = "語".repeat(300);
        assertThat(hasher.matches(multiByte, hasher.hash(multiByte))).isTrue();
    }

    @Test
    void shouldMarkNewHashesAndStillVerifyPlainBcryptHashesOfOlderAccounts() {
        assertThat(hasher.hash("correct horse")).startsWith(BcryptPasswordHasher.PREHASHED);
        String legacy = BCrypt.withDefaults().hashToString(10, "correct horse".toCharArray());
        assertThat(hasher.matches("correct horse", legacy)).isTrue();
        assertThat(hasher.matches("wrong horse", legacy)).isFalse();
        assertThat(hasher.matches("x".repeat(100), legacy)).isFalse();
    }
}
