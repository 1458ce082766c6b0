package dev.parley.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.edge.socket.ClientFrame;
import dev.parley.edge.socket.FrameParser;
import dev.parley.schema.ErrorCode;
import org.junit.jupiter.api.Test;

class FrameParserTest {

    private final FrameParser parser = new FrameParser(new ObjectMapper());

    private FrameParser.FrameException reject(String frame) {
        try {
            parser.parse(frame);
        } catch (FrameParser.FrameException e) {
            return e;
        }
        throw new AssertionError("accepted " + frame);
    }

    @Test
    void shouldParseEveryClientFrame() {
        assertThat(parser.parse("{\"type\":\"send\",\"id\":\"c1\",\"conversation_id\":\"d_1\",\"body\":\"hi\"}"))
                .isEqualTo(new ClientFrame.Send("c1", "d_1", "hi", java.util.List.of(), null));
        assertThat(parser.parse("{\"type\":\"ack\",\"conversation_id\":\"d_1\",\"seq\":5}"))
                .isEqualTo(new ClientFrame.Ack(null, "d_1", 5));
        assertThat(parser.parse("{\"type\":\"typing\",\"conversation_id\":\"d_1\",\"state\":\"stop\"}"))
                .isEqualTo(new ClientFrame.Typing(null, "d_1", false));
        assertThat(parser.parse("{\"type\":\"react\",\"id\":\"r\",\"conversation_id\":\"d_1\",\"seq\":1,"
                        + "\"emoji\":\"👍\",\"op\":\"remove\"}"))
                .isEqualTo(new ClientFrame.React("r", "d_1", 1, "👍", false));
        assertThat(parser.parse("{\"type\":\"ping\"}")).isEqualTo(new ClientFrame.Ping(null));
        assertThat(parser.parse(
                        "{\"type\":\"edit\",\"id\":\"e\",\"conversation_id\":\"d_1\",\"seq\":3,\"body\":\"fixed\"}"))
                .isEqualTo(new ClientFrame.Edit("e", "d_1", 3, "fixed"));
        assertThat(parser.parse("{\"type\":\"delete\",\"id\":\"d\",\"conversation_id\":\"d_1\",\"seq\":3}"))
                .isEqualTo(new ClientFrame.Delete("d", "d_1", 3));
    }

    @Test
    void shouldParseJoinAndLeaveWithTheirIdAndRefuseThemWithoutOneOrAConversation() {
        assertThat(parser.parse("{\"type\":\"join\",\"id\":\"j1\",\"conversation_id\":\"c_1\"}"))
                .isEqualTo(new ClientFrame.Join("j1", "c_1"));
        assertThat(parser.parse("{\"type\":\"leave\",\"id\":\"l1\",\"conversation_id\":\"c_1\"}"))
                .isEqualTo(new ClientFrame.Leave("l1", "c_1"));
        assertThat(reject("{\"type\":\"join\",\"conversation_id\":\"c_1\"}").getMessage())
                .contains("join needs an id");
        FrameParser.FrameException noConversation = reject("{\"type\":\"leave\",\"id\":\"l2\"}");
        assertThat(noConversation.frameId()).isEqualTo("l2");
        assertThat(noConversation.code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(reject("{\"type\":\"join\",\"id\":\"j2\",\"conversation_id\":\"c 1\"}")
                        .code())
                .isEqualTo(ErrorCode.BAD_REQUEST);
    }

    @Test
    void shouldRefuseEditsAndDeletesWithoutAnIdOrASeq() {
        assertThat(reject("{\"type\":\"edit\",\"conversation_id\":\"d_1\",\"seq\":3,\"body\":\"x\"}")
                        .getMessage())
                .contains("edit needs an id");
        assertThat(reject("{\"type\":\"delete\",\"conversation_id\":\"d_1\",\"seq\":3}")
                        .getMessage())
                .contains("delete needs an id");
        FrameParser.FrameException noSeq = reject("{\"type\":\"delete\",\"id\":\"d\",\"conversation_id\":\"d_1\"}");
        assertThat(noSeq.frameId()).isEqualTo("d");
        assertThat(noSeq.getMessage()).contains("seq");
        assertThat(reject("{\"type\":\"edit\",\"id\":\"e\",\"conversation_id\":\"d_1\",\"seq\":0,\"body\":\"x\"}")
                        .code())
                .isEqualTo(ErrorCode.BAD_REQUEST);
    }

    @Test
    void shouldRejectBadFramesWithACodeAndTheFrameIdWhenReadable() {
        assertThat(reject("{oops").code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(reject("[1,2]").getMessage()).contains("JSON object");
        assertThat(reject("{\"id\":\"a\"}").frameId()).isEqualTo("a");
        assertThat(reject("{\"type\":\"fly\",\"id\":\"b\"}").getMessage()).contains("unknown type");
        assertThat(reject("{\"type\":\"send\",\"conversation_id\":\"d_1\",\"body\":\"x\"}")
                        .getMessage())
                .contains("needs an id");
        assertThat(reject("{\"type\":\"send\",\"id\":\"c\",\"conversation_id\":\"bad id\",\"body\":\"x\"}")
                        .getMessage())
                .contains("invalid conversation_id");
        assertThat(reject("{\"type\":\"send\",\"id\":\"c\",\"conversation_id\":\"d_1\",\"body\":42}")
                        .getMessage())
                .contains("body must be a string");
        assertThat(reject("{\"type\":\"send\",\"id\":\"c\",\"conversation_id\":\"d_1\",\"media\":[1]}")
                        .frameId())
                .isEqualTo("c");
        assertThat(reject("{\"type\":\"ack\",\"conversation_id\":\"d_1\",\"seq\":-1}")
                        .getMessage())
                .contains("seq");
        assertThat(reject("{\"type\":\"typing\",\"conversation_id\":\"d_1\",\"state\":\"maybe\"}")
                        .getMessage())
                .contains("start or stop");
    }
}
