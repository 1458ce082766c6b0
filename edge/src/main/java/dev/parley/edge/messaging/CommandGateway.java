package dev.parley.edge.messaging;

import dev.parley.edge.ApiException;
import dev.parley.edge.presence.RateLimiters;
import dev.parley.schema.ChannelPosting;
import dev.parley.schema.ChannelVisibility;
import dev.parley.schema.Command;
import dev.parley.schema.ConversationType;
import dev.parley.schema.CreateConversation;
import dev.parley.schema.DeleteMessage;
import dev.parley.schema.EditMessage;
import dev.parley.schema.ErrorCode;
import dev.parley.schema.JoinChannel;
import dev.parley.schema.MediaDescriptor;
import dev.parley.schema.Origin;
import dev.parley.schema.RemoveMember;
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

    /** The user ids a body's {@code @username} tokens name (the edge's {@code Mentions}). */
    @FunctionalInterface
    public interface MentionResolver {
        /** @throws ApiException {@code too_large} above {@code mentions.max.per.message} */
        List<String> resolve(String body);
    }

    /** The longest channel name; also the longest query of the channel directory. */
    public static final int MAX_CHANNEL_NAME_CHARS = 256;

    private final String edgeId;
    private final CommandPublisher publisher;
    private final int maxBodyBytes;
    private final RateLimiters limits;
    private final Attachments attachments;
    private final MentionResolver mentions;

    /** A gateway that resolves no mentions (tests of the other rules). */
    public CommandGateway(
            String edgeId, CommandPublisher publisher, int maxBodyBytes, RateLimiters limits, Attachments attachments) {
        this(edgeId, publisher, maxBodyBytes, limits, attachments, body -> List.of());
    }

    public CommandGateway(
            String edgeId,
            CommandPublisher publisher,
            int maxBodyBytes,
            RateLimiters limits,
            Attachments attachments,
            MentionResolver mentions) {
        this.edgeId = edgeId;
        this.publisher = publisher;
        this.maxBodyBytes = maxBodyBytes;
        this.limits = limits;
        this.attachments = attachments;
        this.mentions = mentions;
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
     * frame, history and the events topic carry it. A message needs a body or media. Its {@code
     * @username} tokens become {@code mentions} (user ids), at most {@code mentions.max.per.message}.
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
        // resolved here, where usernames are known; the topology keeps the members among them
        List<String> mentioned = mentions.resolve(body);
        return new SendMessage(
                clientId, body, List.copyOf(mediaIds), replyTo, senderName, descriptors, List.copyOf(mentioned));
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

    /**
     * A new channel (v6): a name (1 to 256 characters), {@code visibility} public (default) or private,
     * {@code posting} members (default) or admins; {@code members} are invited at once.
     */
    public CreateConversation channel(String name, String visibility, String posting, List<String> members) {
        if (name == null || name.isBlank() || name.length() > MAX_CHANNEL_NAME_CHARS) {
            throw new ApiException(
                    ErrorCode.BAD_REQUEST, "a channel needs a name of 1 to " + MAX_CHANNEL_NAME_CHARS + " characters");
        }
        ChannelVisibility v = visibility == null
                ? ChannelVisibility.PUBLIC
                : switch (visibility) {
                    case "public" -> ChannelVisibility.PUBLIC;
                    case "private" -> ChannelVisibility.PRIVATE;
                    default -> throw new ApiException(ErrorCode.BAD_REQUEST, "visibility must be public or private");
                };
        ChannelPosting p = posting == null
                ? ChannelPosting.MEMBERS
                : switch (posting) {
                    case "members" -> ChannelPosting.MEMBERS;
                    case "admins" -> ChannelPosting.ADMINS;
                    default -> throw new ApiException(ErrorCode.BAD_REQUEST, "posting must be admins or members");
                };
        return new CreateConversation(ConversationType.CHANNEL, name, List.copyOf(members), v, p);
    }

    /** Joining a public channel oneself (a private one is joined by an admin's invitation). */
    public JoinChannel join() {
        return new JoinChannel();
    }

    /** Leaving a conversation is removing oneself. */
    public RemoveMember leave(String userId) {
        return new RemoveMember(userId);
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
