package dev.parley.edge.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UsernamesTest {

    @Test
    void shouldFoldCaseSoVictimAndVICTIMAreOneName() {
        assertThat(Usernames.normalise("VICTIM")).contains("victim");
        assertThat(Usernames.normalise("Victim")).contains("victim");
        assertThat(Usernames.normalise("victim")).contains("victim");
    }

    @Test
    void shouldFoldFullWidthLettersToAscii() {
        assertThat(Usernames.normalise("ＶＩＣＴＩＭ")).contains("victim");
    }

    @Test
    void shouldFoldWithoutTheTurkishLocaleTrap() {
        // Locale.ROOT: "I" is "i", never the dotless "ı" a Turkish default locale would give
        assertThat(Usernames.normalise("ADMIN")).contains("admin");
    }

    @Test
    void shouldRefuseLookAlikeControlAndInvisibleCharacters() {
        assertThat(Usernames.normalise("vіctim")).isEmpty(); // Cyrillic і
        assertThat(Usernames.normalise("victim\u0000")).isEmpty();
        assertThat(Usernames.normalise("vic\u200Btim")).isEmpty(); // zero-width space
        assertThat(Usernames.normalise("victim\n")).isEmpty();
        assertThat(Usernames.normalise("vi")).isEmpty();
        assertThat(Usernames.normalise("a".repeat(33))).isEmpty();
        assertThat(Usernames.normalise("a".repeat(100_000))).isEmpty();
    }

    @Test
    void shouldKeepTheAllowedPunctuation() {
        assertThat(Usernames.normalise("Anna_B.Smith-2")).contains("anna_b.smith-2");
    }
}
