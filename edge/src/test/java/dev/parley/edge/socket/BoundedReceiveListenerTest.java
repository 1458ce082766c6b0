package dev.parley.edge.socket;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BoundedReceiveListenerTest {

    private static String peek(String start) {
        byte[] bytes = start.getBytes(StandardCharsets.UTF_8);
        return BoundedReceiveListener.peekId(bytes, bytes.length);
    }

    @Test
    void shouldReadTheTopLevelIdFromTheStartOfACutOffFrame() {
        assertThat(peek("{\"type\":\"send\",\"id\":\"c1\",\"body\":\"xxxxxxxx")).isEqualTo("c1");
        assertThat(peek("{\"meta\":{\"id\":\"inner\"},\"id\":\"outer\",\"body\":\"xx"))
                .isEqualTo("outer");
    }

    @Test
    void shouldGiveNoIdWhenTheStartCarriesNone() {
        assertThat(peek("{\"type\":\"send\",\"body\":\"xxxxxxxxxxxxxxxxx")).isNull();
        assertThat(peek("{\"id\":42,\"body\":\"x\"}")).isNull();
        assertThat(peek("[\"id\",\"c1\"]")).isNull();
        assertThat(peek("not json at all")).isNull();
        assertThat(peek("{\"id\":\"" + "x".repeat(129) + "\"}")).isNull();
    }
}
