package dev.parley.edge.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.edge.ApiException;
import dev.parley.schema.ErrorCode;
import org.junit.jupiter.api.Test;

class PasswordPolicyTest {

    private final PasswordPolicy policy = new PasswordPolicy(8, 1024);

    @Test
    void shouldAcceptAnOrdinaryPassphrase() {
        assertThatCode(() -> policy.checkNew("alice", "correct horse")).doesNotThrowAnyException();
    }

    @Test
    void shouldRefuseAPasswordShorterThanTheMinimumInCharacters() {
        assertRefused("alice", "1234567", "at least 8 characters");
        // 8 characters that are 24 bytes are long enough: the rule counts characters
        assertThatCode(() -> policy.checkNew("alice", "日本語のパスワー")).doesNotThrowAnyException();
    }

    @Test
    void shouldRefuseCommonPasswordsInAnyCase() {
        assertRefused("alice", "password", "most common");
        assertRefused("alice", "PassWord1", "most common");
        assertRefused("alice", "iloveyou", "most common");
        assertRefused("alice", "qwerty123", "most common");
        assertRefused("alice", "12345678", "most common");
        assertThat(policy.commonCount()).isGreaterThan(400);
    }

    @Test
    void shouldRefuseAPasswordThatIsOrContainsTheUsername() {
        assertRefused("alice_wonder", "Alice_Wonder", "username");
        assertRefused("alice_w", "ALICE_W2024!", "username");
        assertRefused("alice_w", "my alice_w pass", "username");
    }

    @Test
    void shouldBoundThePasswordInUtf8Bytes() {
        assertThatCode(() -> policy.checkNew("alice", "x".repeat(1024))).doesNotThrowAnyException();
        assertRefused("alice", "x".repeat(1025), "longer than 1024 bytes");
        // 342 three-byte characters are 1,026 bytes
        assertRefused("alice", "語".repeat(342), "longer than 1024 bytes");
        assertThatThrownBy(() -> policy.checkLength("x".repeat(1025))).isInstanceOf(ApiException.class);
    }

    private void assertRefused(String username, String password, String why) {
        assertThatThrownBy(() -> policy.checkNew(username, password))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST))
                .hasMessageContaining(why);
    }
}
