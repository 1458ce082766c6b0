package dev.parley.edge.socket;

import java.util.List;

/** A validated client frame of protocol v1. {@code id} is the client's frame id, echoed in replies. */
public sealed interface ClientFrame {

    String id();

    /** The conversation the frame is about, or null (the records with that component say which). */
    default String conversationId() {
        return null;
    }

    /** {@code id} is also the client message id: a retry with the same id returns the original seq. */
    record Send(String id, String conversationId, String body, List<String> media, Long replyTo)
            implements ClientFrame {}

    record Ack(String id, String conversationId, long seq) implements ClientFrame {}

    record Read(String id, String conversationId, long seq) implements ClientFrame {}

    record Typing(String id, String conversationId, boolean start) implements ClientFrame {}

    record React(String id, String conversationId, long seq, String emoji, boolean add) implements ClientFrame {}

    /** {@code id} is also the command's client id: a retry with the same id gets the original answer. */
    record Edit(String id, String conversationId, long seq, String body) implements ClientFrame {}

    record Delete(String id, String conversationId, long seq) implements ClientFrame {}

    /** Joining a public channel oneself; answered {@code ok} (also when already a member). */
    record Join(String id, String conversationId) implements ClientFrame {}

    /** Leaving a conversation (removing oneself); answered {@code ok}. */
    record Leave(String id, String conversationId) implements ClientFrame {}

    record PresenceSubscribe(String id, List<String> users) implements ClientFrame {}

    record Ping(String id) implements ClientFrame {}
}
