package dev.parley.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class ClientInputTest {

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void shouldAcceptEmojiAndRefuseLoneSurrogatesAndNulAnywhereInTheTree() throws Exception {
        assertThat(ClientInput.problemIn(json.readTree("{\"body\":\"hi 👍🏽 and 👨‍👩‍👧\"}")))
                .isNull();
        assertThat(ClientInput.problemIn(json.readTree("{\"body\":\"a\\ud800\"}")))
                .contains("lone surrogate");
        assertThat(ClientInput.problemIn(json.readTree("{\"body\":\"\\udc00b\"}")))
                .contains("lone surrogate");
        assertThat(ClientInput.problemIn(json.readTree("{\"a\":{\"b\":[\"x\",\"y\\u0000\"]}}")))
                .contains("NUL");
        assertThat(ClientInput.problemIn(json.readTree("{\"k\\ud800\":1}"))).contains("lone surrogate");
    }

    @Test
    void shouldTakeIdsOfAtMost128CharactersWithoutControlFormatOrSpace() {
        assertThat(ClientInput.isIdentifier("u_0123456789abcdef")).isTrue();
        assertThat(ClientInput.isIdentifier("x".repeat(128))).isTrue();
        assertThat(ClientInput.isIdentifier("x".repeat(129))).isFalse();
        assertThat(ClientInput.isIdentifier("")).isFalse();
        assertThat(ClientInput.isIdentifier("a\u001fb")).isFalse();
        assertThat(ClientInput.isIdentifier("a\u202eb")).isFalse();
        assertThat(ClientInput.isIdentifier("a\u200bb")).isFalse();
        assertThat(ClientInput.isIdentifier("a b")).isFalse();
        assertThat(ClientInput.isIdentifier("a\u00a0b")).isFalse();
    }

    @Test
    void shouldTakeNamesWithEmojiSequencesButNoControlsOrBidiOverrides() {
        assertThat(ClientInput.isName("Team 👨‍👩‍👧 café")).isTrue();
        assertThat(ClientInput.isName("שלום")).isTrue();
        assertThat(ClientInput.isName("evil\u202Egnp.exe")).isFalse();
        assertThat(ClientInput.isName("a\u2066b")).isFalse();
        assertThat(ClientInput.isName("line\nbreak")).isFalse();
    }

    @Test
    void shouldTakeSeqsFrom1To2Pow53AsJsonIntegersOnly() throws Exception {
        assertThat(ClientInput.seq(json.readTree("1"))).isEqualTo(1L);
        assertThat(ClientInput.seq(json.readTree("9007199254740992"))).isEqualTo(1L << 53);
        assertThat(ClientInput.seq(json.readTree("9007199254740993"))).isNull();
        assertThat(ClientInput.seq(json.readTree("18446744073709551617"))).isNull();
        assertThat(ClientInput.seq(json.readTree("0"))).isNull();
        assertThat(ClientInput.seq(json.readTree("-1"))).isNull();
        assertThat(ClientInput.seq(json.readTree("1.0"))).isNull();
        assertThat(ClientInput.seq(json.readTree("\"3\""))).isNull();
        assertThat(ClientInput.seq(null)).isNull();
    }

    @Test
    void shouldTakeAPathSeqOnlyAsDigitsFromOneTo2To53() {
        org.assertj.core.api.Assertions.assertThat(ClientInput.pathSeq("1")).isEqualTo(1L);
        org.assertj.core.api.Assertions.assertThat(ClientInput.pathSeq(Long.toString(ClientInput.MAX_SEQ)))
                .isEqualTo(ClientInput.MAX_SEQ);
        for (String bad : new String[] {null, "", "0", "+1", "1e3", "-1", "18446744073709551617", "9007199254740993"}) {
            org.assertj.core.api.Assertions.assertThat(ClientInput.pathSeq(bad))
                    .as(bad)
                    .isNull();
        }
    }
}
