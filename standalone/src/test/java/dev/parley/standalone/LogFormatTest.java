package dev.parley.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.edge.socket.SocketEndpoint;
import dev.parley.schema.CommandLogContext;
import dev.parley.testkit.LogFormatProbe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.ILoggerFactory;

/**
 * {@code PARLEY_LOG_FORMAT} in each process's own logback configuration (edge and topology on the
 * console, the embedded default into its log file): json gives one JSON object per line with the
 * command's ids from the MDC on the lines logged while it is handled and on no other line; the
 * default stays one readable line, ids included.
 */
class LogFormatTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path data;

    @ParameterizedTest
    @ValueSource(strings = {"edge", "topology", "standalone"})
    void shouldWriteOneJsonObjectPerLineCarryingTheCommandIds(String module) throws Exception {
        List<String> lines = lines(module, "json", LogFormatTest::logAroundACommand);

        assertThat(lines).hasSize(2);
        JsonNode during = JSON.readTree(lines.get(0));
        assertThat(during.get("level").asText()).isEqualTo("WARN");
        assertThat(during.get("loggerName").asText()).isEqualTo(SocketEndpoint.class.getName());
        assertThat(during.get("threadName").asText())
                .isEqualTo(Thread.currentThread().getName());
        assertThat(during.get("timestamp").asLong()).isPositive();
        assertThat(during.get("formattedMessage").asText()).isEqualTo("frame from u_alice failed: unavailable");
        assertThat(during.get("mdc").get(CommandLogContext.CONVERSATION_ID).asText())
                .isEqualTo("g_1");
        assertThat(during.get("mdc").get(CommandLogContext.USER_ID).asText()).isEqualTo("u_alice");
        assertThat(during.get("mdc").get(CommandLogContext.COMMAND_ID).asText()).isEqualTo("m1");
        assertThat(during.get("throwable").isNull())
                .as("no stack trace for an expected condition")
                .isTrue();

        JsonNode after = JSON.readTree(lines.get(1));
        assertThat(after.get("formattedMessage").asText()).isEqualTo("processing the next one");
        assertThat(after.path("mdc").has(CommandLogContext.USER_ID))
                .as("the ids are gone once the command is handled")
                .isFalse();
    }

    @Test
    void shouldStayReadableTextByDefaultWithTheIds() throws Exception {
        List<String> lines = lines("edge", null, LogFormatTest::logAroundACommand);

        assertThat(lines).hasSize(2);
        assertThat(lines.get(0))
                .contains("WARN")
                .contains("conversation_id=g_1")
                .contains("user_id=u_alice")
                .contains("command_id=m1")
                .endsWith("frame from u_alice failed: unavailable");
        assertThat(lines.get(1)).doesNotContain("u_alice").endsWith("processing the next one");
    }

    private static void logAroundACommand(ILoggerFactory loggers) {
        try (CommandLogContext ids = CommandLogContext.open("g_1", "u_alice", "m1")) {
            loggers.getLogger(SocketEndpoint.class.getName())
                    .warn("frame from {} failed: {}", "u_alice", "unavailable");
        }
        loggers.getLogger("dev.parley.topology.ConversationProcessor").warn("processing the next one");
    }

    /** What {@code module}'s configuration writes (format null: the default). */
    private List<String> lines(String module, String format, Consumer<ILoggerFactory> logging) throws Exception {
        Map<String, String> properties = new HashMap<>();
        if (format != null) {
            properties.put("PARLEY_LOG_FORMAT", format);
        }
        properties.put("PARLEY_DATA_DIR", data.toString());
        List<String> console = LogFormatProbe.consoleLines(
                Path.of("..", module, "src", "main", "resources", "logback.xml"), properties, logging);
        if (!module.equals("standalone")) {
            return console;
        }
        // the embedded default keeps the console for its progress lines and logs into a file
        assertThat(console).isEmpty();
        return new ArrayList<>(Files.readAllLines(data.resolve("logs").resolve("parley.log")));
    }
}
