package dev.parley.edge.messaging;

import dev.parley.edge.ApiException;
import dev.parley.edge.presence.RateLimiters;
import dev.parley.schema.Command;
import dev.parley.schema.DeleteMessage;
import dev.parley.schema.EditMessage;
import dev.parley.schema.ErrorCode;
import dev.parley.schema.MediaDescriptor;
import dev.parley.schema.Origin;
import dev.parley.schema.SendMessage;
import dev.parley.schema.SetRetention;
import dev.parley.schema.Typing;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The one command gateway behind both transports: the socket and the HTTP endpoints only translate
 * their input into calls here. It checks what the edge can check alone (a message's body and media),
 * builds the {@link Command} with its origin, and hands it to the {@link CommandPublisher}, which
 * refuses any command whose encoded size exceeds {@code commands.max.bytes}. Every refusal is an
 * {@link ApiException} with a code, thrown before anything is produced. It is also where the per-user
 * {@link RateLimiters} are applied, so a command costs the same token whichever transport carried it.
 */
public final class CommandGateway {

    /** The descriptors of the media a sender attaches (the edge's {@code MediaAttachments}). */
    @FunctionalInterface
    public interface Attachments {
        /** @throws ApiException {@code bad_request} for an id the sender may not attach */
        List<MediaDescriptor> resolve(String sender, List<String> mediaIds);
    }

    private final String edgeId;
    private final CommandPublisher publisher;
    private final int maxBodyBytes;
    private final RateLimiters limits;
    private final Attachments attachments;

    public CommandGateway(
            String edgeId, CommandPublisher publisher, int maxBodyBytes, RateLimiters limits, Attachments attachments) {
        this.edgeId = edgeId;
        this.publisher = publisher;
        this.maxBodyBytes = maxBodyBytes;
        this.limits = limits;
        this.attachments = attachments;
    }

    /**
     * Takes a token of {@code action} for a request that produces no command of its own here (an
     * ack, a typing or presence frame, a device registration).
     *
     * @throws ApiException {@code rate_limited} over the limit
     */
    public void admit(RateLimiters.Action action, String userId) {
        limits.acquire(action, userId);
    }

    /**
     * A message as {@code sender} asked for it. Each media id must be an upload of the sender's
     * (checked from the id, {@code MediaIds}); its descriptor rides in the command, so the message
     * frame, history and the events topic carry it. A message needs a body or media.
     */
    public SendMessage message(
            String sender, String clientId, String body, List<String> media, Long replyTo, String senderName) {
        List<String> mediaIds = media == null ? List.of() : media;
        if (body == null) {
            body = "";
        }
        if (body.isBlank() && mediaIds.isEmpty()) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "a message needs a body or media");
        }
        checkSize(body);
        if (replyTo != null && replyTo < 1) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "reply_to must be a positive seq");
        }
        List<MediaDescriptor> descriptors = mediaIds.isEmpty() ? List.of() : attachments.resolve(sender, mediaIds);
        return new SendMessage(clientId, body, List.copyOf(mediaIds), replyTo, senderName, descriptors, List.of());
    }

    /** An edit of message {@code seq}: the body rules of a send (who may, and until when, is the topology's). */
    public EditMessage edit(String clientId, long seq, String body) {
        if (body == null || body.isBlank()) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "an edit needs a body");
        }
        checkSize(body);
        return new EditMessage(clientId, seq, body);
    }

    /** A delete for everyone of message {@code seq}. */
    public DeleteMessage delete(String clientId, long seq) {
        return new DeleteMessage(clientId, seq);
    }

    /**
     * Disappearing messages; the bounds (60 s to ten years) are the topology's, whose floor is
     * configuration. Here only a negative number is refused.
     */
    public SetRetention retention(Long seconds) {
        if (seconds != null && seconds < 0) {
            throw new ApiException(
                    ErrorCode.BAD_REQUEST, "retention_seconds must be a positive number of seconds or null");
        }
        return new SetRetention(seconds);
    }

    private void checkSize(String body) {
        if (body.getBytes(StandardCharsets.UTF_8).length > maxBodyBytes) {
            throw new ApiException(ErrorCode.TOO_LARGE, "body is larger than " + maxBodyBytes + " bytes");
        }
    }

    /**
     * Produces {@code payload} for {@code userId} in {@code conversationId}. {@code answerTo} is the
     * socket or HTTP request the topology's answer goes to (null: nobody waits, as for typing).
     *
     * @throws ApiException {@code too_large} when the encoded command exceeds the bound, {@code
     *     rate_limited} when the user's commands bucket is empty
     */
    public CompletableFuture<Void> submit(
            String conversationId, String userId, String answerTo, String clientId, Object payload) {
        if (!(payload instanceof Typing)) {
            // typing frames were admitted (TYPING) before the per-conversation throttle, so that
            // the frames the throttle drops are counted as well
            limits.acquire(RateLimiters.Action.COMMANDS, userId);
        }
        return publisher.publish(new Command(conversationId, userId, new Origin(edgeId, answerTo, clientId), payload));
    }
}
