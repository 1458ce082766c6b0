package dev.parley.edge.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CredentialCheckTest {

    /** Records every verification, so the test sees that unknown names cost a bcrypt too. */
    private static final class CountingHasher implements PasswordHasher {
        private final BcryptPasswordHasher real = new BcryptPasswordHasher(4);
        final List<String> verifiedAgainst = new ArrayList<>();

        @Override
        public String hash(String password) {
            return real.hash(password);
        }

        @Override
        public boolean matches(String password, String storedHash) {
            verifiedAgainst.add(storedHash);
            return real.matches(password, storedHash);
        }
    }

    private final CountingHasher hasher = new CountingHasher();
    private final CredentialCheck check = new CredentialCheck(hasher);
    private final AccountStore.Account alice =
            new AccountStore.Account("u_alice", "alice", hasher.hash("correct horse"), null);

    @Test
    void shouldRunOneBcryptOfTheSameCostForAnUnknownUsernameAsForAKnownOne() {
        assertThat(check.verify(Optional.empty(), "correct horse")).isEmpty();
        assertThat(check.verify(Optional.of(alice), "wrong password")).isEmpty();
        assertThat(check.verify(Optional.of(alice), "correct horse")).contains(alice);

        assertThat(hasher.verifiedAgainst).hasSize(3);
        String dummy = hasher.verifiedAgainst.get(0);
        assertThat(dummy).isNotEqualTo(alice.passwordHash());
        // same format and cost as a real hash: "hmac-sha256+$2a$04$..."
        assertThat(dummy.substring(0, 19)).isEqualTo(alice.passwordHash().substring(0, 19));
    }

    @Test
    void shouldNeverAcceptAPasswordForAnUnknownUsername() {
        for (String guess : List.of("", "correct horse", "password")) {
            assertThat(check.verify(Optional.empty(), guess)).isEmpty();
        }
    }
}
