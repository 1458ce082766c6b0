package dev.parley.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ChannelNamesTest {

    @Test
    void shouldFoldCaseAndAccentsAndSplitOnAnythingButLettersAndDigits() {
        assertThat(ChannelNames.words("Café CRÈME, café-2026!")).containsExactly("cafe", "creme", "2026");
        assertThat(ChannelNames.key("  Rust   Lovers ")).isEqualTo("rust lovers");
        assertThat(ChannelNames.words("東京 Ｈｅｌｌｏ")).containsExactly("東京", "hello");
        assertThat(ChannelNames.words(null)).isEmpty();
    }

    @Test
    void shouldStoreEveryWordPrefixUpToTheTermLengthAndTheAllTerm() {
        assertThat(ChannelNames.terms("Go go")).containsExactly(ChannelNames.ALL, "g", "go");
        String longWord = "a".repeat(40);
        assertThat(ChannelNames.terms(longWord)).hasSize(1 + ChannelNames.MAX_TERM_CHARS);
        assertThat(ChannelNames.terms("x".repeat(256).replace("xx", "x ")))
                .as("a name of 256 characters has at most 257 rows")
                .hasSizeLessThanOrEqualTo(257);
    }

    @Test
    void shouldLookUpTheLongestWordTruncatedAndMatchEveryWordAsAPrefix() {
        assertThat(ChannelNames.term(List.of("ru", "lovers"))).isEqualTo("lovers");
        assertThat(ChannelNames.term(List.of())).isEqualTo(ChannelNames.ALL);
        assertThat(ChannelNames.term(List.of("b".repeat(30)))).isEqualTo("b".repeat(16));
        assertThat(ChannelNames.matches("rust lovers", List.of("lov", "ru"))).isTrue();
        assertThat(ChannelNames.matches("rust lovers", List.of("lov", "go"))).isFalse();
        assertThat(ChannelNames.matches("rust lovers", List.of())).isTrue();
        assertThat(ChannelNames.matches("b".repeat(20), List.of("b".repeat(17) + "c")))
                .isFalse();
    }
}
