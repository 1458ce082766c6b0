package dev.parley.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.edge.auth.TokenService;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class TokenServiceTest {

    private static final String SECRET = "0123456789abcdef0123456789abcdef";
    private final Instant now = Instant.parse("2026-05-01T10:00:00Z");
    private final TokenService tokens =
            new TokenService(SECRET, "parley", Duration.ofHours(1), Clock.fixed(now, ZoneOffset.UTC));

    @Test
    void shouldVerifyItsOwnTokens() {
        assertThat(tokens.verify(tokens.issue("u_1"))).isEqualTo("u_1");
    }

    @Test
    void shouldCarryTheDisplayNameForPushTexts() {
        assertThat(tokens.authenticate(tokens.issue("u_1", "Alice Liddell")))
                .isEqualTo(new dev.parley.edge.auth.Principal("u_1", "Alice Liddell", now.plus(Duration.ofHours(1))));
        assertThat(tokens.authenticate(tokens.issue("u_2")).displayName()).isNull();
    }

    @Test
    void shouldRefuseExpiredForeignAndGarbageTokens() {
        String token = tokens.issue("u_1");
        TokenService later = new TokenService(
                SECRET, "parley", Duration.ofHours(1), Clock.fixed(now.plus(Duration.ofHours(2)), ZoneOffset.UTC));
        assertThatThrownBy(() -> later.verify(token))
                .isInstanceOf(ApiException.class)
                .hasMessageContaining("expired");
        TokenService otherSecret = new TokenService(
                "another-secret-another-secret-xx", "parley", Duration.ofHours(1), Clock.fixed(now, ZoneOffset.UTC));
        assertThatThrownBy(() -> otherSecret.verify(token)).isInstanceOf(ApiException.class);
        TokenService otherIssuer =
                new TokenService(SECRET, "someone-else", Duration.ofHours(1), Clock.fixed(now, ZoneOffset.UTC));
        assertThatThrownBy(() -> otherIssuer.verify(token)).isInstanceOf(ApiException.class);
        assertThatThrownBy(() -> tokens.verify("not.a.jwt")).isInstanceOf(ApiException.class);
        assertThatThrownBy(() -> tokens.verify(null))
                .isInstanceOf(ApiException.class)
                .hasMessageContaining("missing");
    }
}
