package dev.parley.edge.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.edge.ApiException;
import dev.parley.schema.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class MentionsTest {

    private final List<String> lookedUp = new ArrayList<>();
    private final Map<String, String> accounts = Map.of("alice", "u_a", "bob.smith", "u_b", "carol-x", "u_c");

    private Mentions mentions(int max) {
        return new Mentions(
                name -> {
                    lookedUp.add(name);
                    return Optional.ofNullable(accounts.get(name));
                },
                max,
                100);
    }

    @Test
    void shouldFindNamesAtWordStartsFoldedAndWithoutTrailingPunctuation() {
        assertThat(Mentions.names("hi @Alice, @bob.smith. and (@carol-x)- @alice again"))
                .containsExactly("alice", "bob.smith", "carol-x");
        assertThat(Mentions.names("mail bob@example.com or @@x or @ab")).isEmpty();
        assertThat(Mentions.names("no mention at all")).isEmpty();
    }

    @Test
    void shouldResolveKnownNamesToIdsIgnoreUnknownOnesAndCacheHits() {
        Mentions m = mentions(32);
        assertThat(m.resolve("@alice @nobody @BOB.SMITH")).containsExactly("u_a", "u_b");
        assertThat(m.resolve("@alice again @nobody")).containsExactly("u_a");
        assertThat(lookedUp)
                .as("a found name is read once; a miss again (it may be registered since)")
                .containsExactly("alice", "nobody", "bob.smith", "nobody");
    }

    @Test
    void shouldRefuseWithUnavailableWhenAnUncachedNameCannotBeLookedUp() {
        Mentions down = new Mentions(
                name -> {
                    throw new IllegalStateException("no node available");
                },
                32,
                100);
        assertThatThrownBy(() -> down.resolve("hi @alice"))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
        assertThat(down.resolve("no names here")).isEmpty();
    }

    @Test
    void shouldAcceptExactlyTheCapAndRefuseOneMoreWithTooLargeBeforeAnyLookup() {
        String three = "@alice @bob.smith @carol-x";
        assertThat(mentions(3).resolve(three)).containsExactly("u_a", "u_b", "u_c");
        lookedUp.clear();
        String four = three + " @dave";
        assertThatThrownBy(() -> mentions(3).resolve(four))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TOO_LARGE));
        assertThat(lookedUp).isEmpty();
        String repeated = IntStream.range(0, 50).mapToObj(i -> "@alice").collect(Collectors.joining(" "));
        assertThat(mentions(1).resolve(repeated)).as("repeats count once").containsExactly("u_a");
    }
}
