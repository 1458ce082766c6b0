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
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The one command gateway behind both transports: the socket and the HTTP endpoints only translate
 * their input into calls here. It checks what the edge can check alone (a message's body and media),
 * builds the {@link Command} with its origin, and hands it to the {@link CommandPublisher}, which
 * refuses any command whose encoded size exceeds {@code commands.max.bytes}. Every refusal is an
 * {@link ApiException} with a code, thrown before anything is produced. It is also where the per-user
 * {@link RateLimiters} are applied, so a command costs the same token whichever transport carried it.
 * The token comes first: {@link #submit} and {@link #message} take the {@link Admission} only {@link
 * #admit} hands out, so nothing a command names (its media, its mentions, the members it adds) is
 * looked up for a user whose bucket is empty.
 */
public final class CommandGateway {

    /** The descriptors of the media a sender attaches (the edge's {@code MediaAttachments}). */
    @FunctionalInterface
    public interface Attachments {
        /**
         * Called with ids {@link #checkMessage} passed (at most {@code media.max.per.message}, none twice).
         *
         * @throws ApiException {@code bad_request} for an id the sender may not attach
         */
        List<MediaDescriptor> resolve(String sender, List<String> mediaIds);
    }

    /** The user ids a body's {@code @username} tokens name (the edge's {@code Mentions}). */
    @FunctionalInterface
    public interface MentionResolver {
        /** @throws ApiException {@code too_large} above {@code mentions.max.per.message} */
        List<String> resolve(String body);
    }

    /**
     * A token taken for one request of one user, spent by one {@link #submit}. Only {@link #admit}
     * makes one, so a caller cannot reach the lookups of {@link #message} or the publish before the
     * token, and cannot publish two commands on one token.
     */
    public static final class Admission {
        private final String userId;
        private final RateLimiters.Action action;
        private final AtomicBoolean spent = new AtomicBoolean();

        private Admission(String userId, RateLimiters.Action action) {
            this.userId = userId;
            this.action = action;
        }

        public String userId() {
            return userId;
        }
    }

    /** The longest channel name; also the longest query of the channel directory. */
    public static final int MAX_CHANNEL_NAME_CHARS = 256;

    private final String edgeId;
    private final CommandPublisher publisher;
    private final int maxBodyBytes;
    private final int maxMediaPerMessage;
    private final RateLimiters limits;
    private final Attachments attachments;
    private final MentionResolver mentions;

    /** A gateway that resolves no mentions (tests of the other rules). */
    public CommandGateway(
            String edgeId,
            CommandPublisher publisher,
            int maxBodyBytes,
            int maxMediaPerMessage,
            RateLimiters limits,
            Attachments attachments) {
        this(edgeId, publisher, maxBodyBytes, maxMediaPerMessage, limits, attachments, body -> List.of());
    }

    public CommandGateway(
            String edgeId,
            CommandPublisher publisher,
            int maxBodyBytes,
            int maxMediaPerMessage,
            RateLimiters limits,
            Attachments attachments,
            MentionResolver mentions) {
        this.edgeId = edgeId;
        this.publisher = publisher;
        this.maxBodyBytes = maxBodyBytes;
        this.maxMediaPerMessage = maxMediaPerMessage;
        this.limits = limits;
        this.attachments = attachments;
        this.mentions = mentions;
    }

    /**
     * Takes a token of {@code action} for one request of {@code userId}: {@link
     * RateLimiters.Action#COMMANDS} for a command ({@link #admitCommand}), {@code TYPING} for a typing
     * frame, another bucket for a request that produces no command (an ack, a presence frame).
     *
     * @throws ApiException {@code rate_limited} over the limit
     */
    public Admission admit(RateLimiters.Action action, String userId) {
        limits.acquire(action, userId);
        return new Admission(userId, action);
    }

    /**
     * A command's token, taken before anything the command names is looked up.
     *
     * @throws ApiException {@code rate_limited} when the user's commands bucket is empty
     */
    public Admission admitCommand(String userId) {
        return admit(RateLimiters.Action.COMMANDS, userId);
    }

    /**
     * A message as {@code sender} asked for it. Each media id must be an upload of the sender's
     * (checked from the id, {@code MediaIds}); its descriptor rides in the command, so the message
     * frame, history and the events topic carry it. A message needs a body or media. Its {@code
     * @username} tokens become {@code mentions} (user ids), at most {@code mentions.max.per.message}.
     * Those lookups cost a read each, so the sender's token comes first ({@code sender}).
     */
    public SendMessage message(
            Admission sender, String clientId, String body, List<String> media, Long replyTo, String senderName) {
        List<String> mediaIds = media == null ? List.of() : media;
        if (body == null) {
            body = "";
        }
        checkMessage(body, mediaIds, replyTo);
        List<MediaDescriptor> descriptors =
                mediaIds.isEmpty() ? List.of() : attachments.resolve(sender.userId(), mediaIds);
        // resolved here, where usernames are known; the topology keeps the members among them
        List<String> mentioned = mentions.resolve(body);
        return new SendMessage(
                clientId, body, List.copyOf(mediaIds), replyTo, senderName, descriptors, List.copyOf(mentioned));
    }

    /**
     * The rules of {@link #message} that need no lookup: a body or media, the body's size, at most
     * {@code media.max.per.message} media ids and none twice, a positive {@code reply_to}. The
     * transports check them before the token, so a malformed send costs none, as a malformed edit
     * costs none; {@link #message} checks them again.
     */
    public void checkMessage(String body, List<String> media, Long replyTo) {
        String text = body == null ? "" : body;
        List<String> mediaIds = media == null ? List.of() : media;
        if (text.isBlank() && mediaIds.isEmpty()) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "a message needs a body or media");
        }
        checkSize(text);
        if (mediaIds.size() > maxMediaPerMessage) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "at most " + maxMediaPerMessage + " media per message");
        }
        if (new HashSet<>(mediaIds).size() != mediaIds.size()) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "a media id is listed twice");
        }
        if (replyTo != null && replyTo < 1) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "reply_to must be a positive seq");
        }
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
     * Produces {@code payload} for the admitted user in {@code conversationId}, spending the token.
     * {@code answerTo} is the socket or HTTP request the topology's answer goes to (null: nobody
     * waits, as for typing). A typing frame is admitted by the typing bucket, every other command by
     * the commands bucket.
     *
     * @throws ApiException {@code too_large} when the encoded command exceeds the bound
     * @throws IllegalStateException for a token of another bucket, or one already spent (a bug)
     */
    public CompletableFuture<Void> submit(
            Admission admitted, String conversationId, String answerTo, String clientId, Object payload) {
        RateLimiters.Action needed =
                payload instanceof Typing ? RateLimiters.Action.TYPING : RateLimiters.Action.COMMANDS;
        if (admitted.action != needed) {
            throw new IllegalStateException(payload.getClass().getSimpleName() + " needs a token of " + needed);
        }
        if (!admitted.spent.compareAndSet(false, true)) {
            throw new IllegalStateException("one token admits one command");
        }
        return publisher.publish(
                new Command(conversationId, admitted.userId, new Origin(edgeId, answerTo, clientId), payload));
    }
}
