package dev.parley.schema;

import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.MDC;

/**
 * The ids a log line about one command carries, as MDC entries {@code conversation_id}, {@code
 * user_id} and {@code command_id} (the client's id of the frame or request): set where the edge
 * handles a frame or an HTTP command and where the topology processes a command, so that with
 * {@code PARLEY_LOG_FORMAT=json} every line logged meanwhile can be found by them. Use it in
 * try-with-resources on the thread doing the work; closing restores what was there before (a
 * request's {@code user_id} survives a nested command's context).
 */
public final class CommandLogContext implements AutoCloseable {

    public static final String CONVERSATION_ID = "conversation_id";
    public static final String USER_ID = "user_id";
    public static final String COMMAND_ID = "command_id";

    private final Map<String, String> previous = new LinkedHashMap<>();

    private CommandLogContext() {}

    /** Puts the non-null ids into the MDC of this thread. */
    public static CommandLogContext open(String conversationId, String userId, String commandId) {
        CommandLogContext context = new CommandLogContext();
        context.put(CONVERSATION_ID, conversationId);
        context.put(USER_ID, userId);
        context.put(COMMAND_ID, commandId);
        return context;
    }

    private void put(String key, String value) {
        if (value != null) {
            previous.put(key, MDC.get(key));
            MDC.put(key, value);
        }
    }

    @Override
    public void close() {
        previous.forEach((key, value) -> {
            if (value == null) {
                MDC.remove(key);
            } else {
                MDC.put(key, value);
            }
        });
    }
}
