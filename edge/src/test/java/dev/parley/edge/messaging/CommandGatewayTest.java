package dev.parley.edge.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.edge.ApiException;
import dev.parley.edge.presence.RateLimiters;
import dev.parley.schema.Command;
import dev.parley.schema.ErrorCode;
import dev.parley.schema.MediaDescriptor;
import dev.parley.schema.Origin;
import dev.parley.schema.ParleySerdes;
import dev.parley.schema.SendMessage;
import dev.parley.schema.Topics;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CommandGatewayTest {

    private static final MediaDescriptor PHOTO = new MediaDescriptor("m_ok", "image/png", 3L, "a.png", 1, 1, null);

    /** u_1 uploaded m_ok; every other id is refused as the edge's MediaAttachments refuses it. */
    private static final CommandGateway.Attachments ATTACHMENTS = (sender, ids) -> ids.stream()
            .map(id -> {
                if (!sender.equals("u_1") || !id.equals("m_ok")) {
                    throw new ApiException(ErrorCode.BAD_REQUEST, "media " + id + " is not an upload of yours");
                }
                return PHOTO;
            })
            .toList();

    private final CommandGateway gateway =
            new CommandGateway("edge-1", null, 10, RateLimiters.unlimited(), ATTACHMENTS);

    @Test
    void shouldCarryTheDescriptorsOfTheSendersMediaAndRefuseOthers() {
        SendMessage withMedia = gateway.message("u_1", "c1", "", List.of("m_ok"), null, null);
        assertThat(withMedia.getMedia()).containsExactly("m_ok");
        assertThat(withMedia.getAttachments()).containsExactly(PHOTO);
        assertThatThrownBy(() -> gateway.message("u_2", "c1", "hi", List.of("m_ok"), null, null))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
                    assertThat(e.getMessage()).contains("not an upload of yours");
                });
        assertThat(gateway.message("u_1", "c1", "hi", List.of(), null, null).getAttachments())
                .isEmpty();
    }

    @Test
    void shouldAcceptABodyAtTheLimitAndRefuseOneByteMore() {
        // é is two bytes in UTF-8: the limit counts bytes, not characters
        SendMessage atLimit = gateway.message("u_1", "c1", "éééé12", List.of(), null, "Al");
        assertThat(atLimit.getBody()).isEqualTo("éééé12");
        assertThatThrownBy(() -> gateway.message("u_1", "c1", "éééé123", List.of(), null, null))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TOO_LARGE));
        assertThatThrownBy(() -> gateway.message("u_1", "c1", "  ", List.of(), null, null))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
    }

    @Test
    void shouldCheckAnEditsBodyAsASendsAndRefuseANegativeRetention() {
        assertThat(gateway.edit("e1", 3, "éééé12").getBody()).isEqualTo("éééé12");
        assertThatThrownBy(() -> gateway.edit("e1", 3, "éééé123"))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TOO_LARGE));
        assertThatThrownBy(() -> gateway.edit("e1", 3, " "))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
        assertThat(gateway.delete("d1", 3).getSeq()).isEqualTo(3);
        assertThat(gateway.retention(null).getRetentionSeconds()).isNull();
        assertThatThrownBy(() -> gateway.retention(-1L))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
    }

    @Test
    void shouldRefuseACommandOneByteOverTheEncodedBoundBeforeProducingIt() {
        ParleySerdes serdes = new ParleySerdes();
        Command command = new Command(
                "d_1",
                "u_1",
                new Origin("edge-1", "ws-1", "c1"),
                new SendMessage("c1", "hi", List.of(), null, null, List.of(), List.of()));
        int encoded = serdes.command().serialize(Topics.COMMANDS.name(), command).length;
        // nothing listens there: a command that got past the bound would wait for metadata, not throw
        try (CommandPublisher publisher = new CommandPublisher("127.0.0.1:1", 0, 20, serdes.command(), encoded - 1)) {
            assertThatThrownBy(() -> publisher.publish(command)).isInstanceOfSatisfying(ApiException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.TOO_LARGE);
                assertThat(e.getMessage()).contains(encoded + " bytes");
            });
        }
    }

    @Test
    void shouldRefuseACommandOverItsBucketBeforeProducingItWithARetryAfter() {
        Map<RateLimiters.Action, RateLimiters.Limiter> buckets = new EnumMap<>(RateLimiters.Action.class);
        for (RateLimiters.Action action : RateLimiters.Action.values()) {
            buckets.put(action, user -> action != RateLimiters.Action.COMMANDS);
        }
        // no publisher: a command that got past the limiter would fail with a NullPointerException
        CommandGateway limited = new CommandGateway("edge-1", null, 10, new RateLimiters(buckets), ATTACHMENTS);
        SendMessage message = limited.message("u_1", "c1", "hi", List.of(), null, null);
        assertThatThrownBy(() -> limited.submit("d_1", "u_1", "ws-1", "c1", message))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMITED);
                    assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(1));
                });
        limited.admit(RateLimiters.Action.TYPING, "u_1");
    }
}
