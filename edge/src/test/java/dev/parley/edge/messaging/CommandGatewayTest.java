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
import dev.parley.schema.Typing;
import dev.parley.schema.TypingState;
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
            new CommandGateway("edge-1", null, 10, 2, RateLimiters.unlimited(), ATTACHMENTS);

    @Test
    void shouldCarryTheDescriptorsOfTheSendersMediaAndRefuseOthers() {
        SendMessage withMedia = gateway.message(gateway.admitCommand("u_1"), "c1", "", List.of("m_ok"), null, null);
        assertThat(withMedia.getMedia()).containsExactly("m_ok");
        assertThat(withMedia.getAttachments()).containsExactly(PHOTO);
        assertThatThrownBy(() -> gateway.message(gateway.admitCommand("u_2"), "c1", "hi", List.of("m_ok"), null, null))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
                    assertThat(e.getMessage()).contains("not an upload of yours");
                });
        assertThat(gateway.message(gateway.admitCommand("u_1"), "c1", "hi", List.of(), null, null)
                        .getAttachments())
                .isEmpty();
    }

    @Test
    void shouldAcceptABodyAtTheLimitAndRefuseOneByteMore() {
        // é is two bytes in UTF-8: the limit counts bytes, not characters
        SendMessage atLimit = gateway.message(gateway.admitCommand("u_1"), "c1", "éééé12", List.of(), null, "Al");
        assertThat(atLimit.getBody()).isEqualTo("éééé12");
        assertThatThrownBy(() -> gateway.message(gateway.admitCommand("u_1"), "c1", "éééé123", List.of(), null, null))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TOO_LARGE));
        assertThatThrownBy(() -> gateway.message(gateway.admitCommand("u_1"), "c1", "  ", List.of(), null, null))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
    }

    @Test
    void shouldRefuseMoreMediaThanTheBoundOrARepeatedIdWithoutLookingThemUp() {
        // the bound here is 2; ids nobody uploaded would fail the lookup, so bad_request from the
        // shape check (its message) shows the lookup never ran
        assertThatThrownBy(() -> gateway.checkMessage("", List.of("m_a", "m_b", "m_c"), null))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
                    assertThat(e.getMessage()).isEqualTo("at most 2 media per message");
                });
        assertThatThrownBy(() -> gateway.checkMessage("", List.of("m_ok", "m_ok"), null))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
                    assertThat(e.getMessage()).isEqualTo("a media id is listed twice");
                });
        assertThatThrownBy(() -> gateway.message(
                        gateway.admitCommand("u_1"), "c1", "", List.of("m_x", "m_x", "m_y"), null, null))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.getMessage()).isEqualTo("at most 2 media per message"));
        gateway.checkMessage("", List.of("m_ok", "m_other"), null); // at the bound: the lookup decides
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
    void shouldRefuseACommandOverItsBucketWithARetryAfterAndLeaveOtherBucketsAlone() {
        Map<RateLimiters.Action, RateLimiters.Limiter> buckets = new EnumMap<>(RateLimiters.Action.class);
        for (RateLimiters.Action action : RateLimiters.Action.values()) {
            buckets.put(action, user -> action != RateLimiters.Action.COMMANDS);
        }
        // a message is built only on a token (message takes the Admission), so its media and mentions
        // are never looked up for a user over the limit; the endpoints' order is AbuseLimitsIT's
        CommandGateway limited = new CommandGateway("edge-1", null, 10, 2, new RateLimiters(buckets), ATTACHMENTS);
        assertThatThrownBy(() -> limited.admitCommand("u_1")).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMITED);
            assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(1));
        });
        assertThat(limited.admit(RateLimiters.Action.TYPING, "u_1").userId()).isEqualTo("u_1");
    }

    @Test
    void shouldSpendOneTokenOnOneCommandOfItsOwnKind() {
        ParleySerdes serdes = new ParleySerdes();
        // a bound of one byte: every command is refused before it is produced, after its token is spent
        try (CommandPublisher publisher = new CommandPublisher("127.0.0.1:1", 0, 20, serdes.command(), 1)) {
            CommandGateway one = new CommandGateway("edge-1", publisher, 10, 2, RateLimiters.unlimited(), ATTACHMENTS);
            CommandGateway.Admission admitted = one.admitCommand("u_1");
            SendMessage message = one.message(admitted, "c1", "hi", List.of(), null, null);
            assertThatThrownBy(() -> one.submit(admitted, "d_1", "ws-1", "c1", message))
                    .isInstanceOfSatisfying(
                            ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TOO_LARGE));
            assertThatThrownBy(() -> one.submit(admitted, "d_1", "ws-1", "c1", message))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("one token admits one command");
            // a typing token admits a typing frame only
            CommandGateway.Admission typing = one.admit(RateLimiters.Action.TYPING, "u_1");
            assertThatThrownBy(() -> one.submit(typing, "d_1", "ws-1", "c2", one.delete("c2", 1)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("COMMANDS");
            assertThatThrownBy(
                            () -> one.submit(one.admitCommand("u_1"), "d_1", null, null, new Typing(TypingState.START)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("TYPING");
            assertThatThrownBy(() -> one.submit(typing, "d_1", null, null, new Typing(TypingState.START)))
                    .isInstanceOfSatisfying(
                            ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TOO_LARGE));
        }
    }
}
