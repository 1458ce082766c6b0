package dev.parley.edge.media;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.edge.ClientInput;
import org.junit.jupiter.api.Test;

class MediaIdsTest {

    private final MediaIds ids = new MediaIds("edge-secret-edge-secret-edge-secret-1");

    @Test
    void shouldProveItsUploaderAndNobodyElse() {
        String id = ids.mint("u_alice");
        assertThat(MediaIds.isWellFormed(id)).isTrue();
        assertThat(ClientInput.isIdentifier(id)).isTrue(); // passes the frame parser's id rule
        assertThat(ids.isOwnedBy(id, "u_alice")).isTrue();
        assertThat(ids.isOwnedBy(id, "u_mallory")).isFalse();
        assertThat(new MediaIds("another-secret-another-secret-another").isOwnedBy(id, "u_alice"))
                .isFalse();
    }

    @Test
    void shouldRefuseForgedAndMalformedIds() {
        String id = ids.mint("u_alice");
        char last = id.charAt(id.length() - 1);
        String tampered = id.substring(0, id.length() - 1) + (last == 'A' ? 'B' : 'A');
        assertThat(ids.isOwnedBy(tampered, "u_alice")).isFalse();
        String otherRandom = "m_" + "A".repeat(22) + id.substring(24);
        assertThat(ids.isOwnedBy(otherRandom, "u_alice")).isFalse();
        assertThat(ids.isOwnedBy("m_1", "u_alice")).isFalse();
        assertThat(ids.isOwnedBy(null, "u_alice")).isFalse();
        assertThat(ids.isOwnedBy(id.replace('.', '!'), "u_alice")).isFalse();
        assertThat(MediaIds.isWellFormed("m_" + "é".repeat(22) + "." + "A".repeat(22)))
                .isFalse();
    }
}
