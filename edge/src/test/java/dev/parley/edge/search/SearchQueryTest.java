package dev.parley.edge.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.parley.edge.ApiException;
import dev.parley.edge.search.SearchQuery.Clause;
import dev.parley.edge.search.SearchQuery.Kind;
import org.junit.jupiter.api.Test;

class SearchQueryTest {

    @Test
    void shouldSplitWordsPhrasesAndPrefixes() {
        assertThat(SearchQuery.parse("  meet \"the café\" tom*  body:* ", 256, 32)
                        .clauses())
                .containsExactly(
                        new Clause(Kind.WORD, "meet"),
                        new Clause(Kind.PHRASE, "the café"),
                        new Clause(Kind.PREFIX, "tom"),
                        new Clause(Kind.PREFIX, "body:"));
    }

    @Test
    void shouldRefuseEmptyOverlongUnbalancedAndBareStarQueries() {
        for (String q : new String[] {null, "", "   ", "\"open", "*", "a **", "\"\"", "x".repeat(257)}) {
            assertThatThrownBy(() -> SearchQuery.parse(q, 256, 32))
                    .as(String.valueOf(q))
                    .isInstanceOf(ApiException.class);
        }
        assertThat(SearchQuery.parse("😀".repeat(256), 256, 32).clauses()).hasSize(1); // code points, not chars
        assertThatThrownBy(() -> SearchQuery.parse("a b c", 256, 2)).isInstanceOf(ApiException.class);
    }

    @Test
    void shouldRefuseACursorChangedAnywhereOrUsedForAnotherSearch() {
        ObjectMapper json = new ObjectMapper();
        SearchCursor cursors = new SearchCursor(json, "s".repeat(32));
        ArrayNode after = json.createArrayNode().add(1.5).add(1780000000000L).add("c:1");
        String cursor = cursors.encode("scope", after);
        assertThat(cursors.decode("scope", cursor)).isEqualTo(after);
        for (int i = 0; i < cursor.length(); i++) {
            char c = cursor.charAt(i);
            String changed = cursor.substring(0, i) + (c == 'A' ? 'B' : 'A') + cursor.substring(i + 1);
            int at = i;
            assertThatThrownBy(() -> cursors.decode("scope", changed))
                    .as("changed at " + at)
                    .isInstanceOf(ApiException.class);
        }
        assertThatThrownBy(() -> cursors.decode("other", cursor)).isInstanceOf(ApiException.class);
        assertThatThrownBy(() -> new SearchCursor(json, "t".repeat(32)).decode("scope", cursor))
                .isInstanceOf(ApiException.class);
    }
}
