package dev.parley.topology.conversation;

import dev.parley.schema.ChannelPosting;
import dev.parley.schema.ErrorCode;
import dev.parley.schema.MessagePosted;
import dev.parley.schema.SendMessage;
import dev.parley.topology.store.ConversationMeta;
import dev.parley.topology.store.DedupEntry;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Accepts a message: deduplicates by (conversation, sender, client message id) within the window,
 * checks membership and limits, and gives it the next dense seq. A retry gets the original seq and
 * message id back and produces no event.
 */
final class MessageSequencer {

    static final int MAX_NAME_CODE_POINTS = 64;

    private static final int MAX_CLIENT_MSG_ID_CHARS = 128;
    private static final int MAX_MEDIA = 32;

    private final ConversationState state;
    private final int maxBodyBytes;
    private final int maxMentions;

    MessageSequencer(ConversationState state, int maxBodyBytes, int maxMentions) {
        this.state = state;
        this.maxBodyBytes = maxBodyBytes;
        this.maxMentions = maxMentions;
    }

    Outcome send(CommandInput in, SendMessage send) {
        String conversationId = in.conversationId();
        // checks that do not depend on the conversation come first, and a missing conversation answers like
        // someone else's: direct ids are computable (sha256 of the pair), so no answer may tell whether one exists
        String clientMsgId = send.getClientMsgId();
        if (clientMsgId == null || clientMsgId.isEmpty() || clientMsgId.length() > MAX_CLIENT_MSG_ID_CHARS) {
            return new Outcome.Rejected(ErrorCode.BAD_REQUEST, "client message id must be 1 to 128 characters");
        }
        ConversationMeta meta = state.meta(conversationId);
        if (meta == null) {
            return new Outcome.Rejected(ErrorCode.NOT_MEMBER, "only members may send");
        }
        // a retry of an accepted message always gets its original answer, even if rules changed since
        DedupEntry earlier = state.findSend(conversationId, in.sender(), clientMsgId, in.streamTime());
        if (earlier != null) {
            return Outcome.Acknowledged.of(earlier.getSeq(), earlier.getMessageId(), earlier.getTs(), true);
        }
        if (!state.isMember(conversationId, meta, in.sender())) {
            return new Outcome.Rejected(ErrorCode.NOT_MEMBER, "only members may send");
        }
        if (ChannelRules.isChannel(meta)
                && meta.getChannel().getPosting() == ChannelPosting.ADMINS
                && !Membership.isAdmin(meta, in.sender())) {
            return new Outcome.Rejected(ErrorCode.FORBIDDEN, "only admins may post in this channel");
        }
        Outcome invalid = validate(send, state.lastSeq(conversationId));
        if (invalid != null) {
            return invalid;
        }
        long seq = state.lastSeq(conversationId) + 1;
        state.putLastSeq(conversationId, seq);
        state.rememberSend(
                conversationId,
                in.sender(),
                clientMsgId,
                new DedupEntry(seq, in.eventId(), in.timestamp(), 0L),
                in.streamTime());
        state.indexMessage(
                conversationId, seq, in.sender(), in.timestamp(), meta.getRetentionSeconds(), in.streamTime());
        MessagePosted posted = new MessagePosted(
                in.eventId(),
                clientMsgId,
                send.getBody(),
                send.getMedia(),
                send.getReplyTo(),
                senderName(send),
                meta.getRetentionSeconds(),
                send.getAttachments(),
                mentions(conversationId, meta, send));
        return Outcome.Published.toMembers(meta, in.event(seq, posted), true);
    }

    /**
     * The mentioned user ids (resolved from @username by the edge) that are members, distinct: one
     * membership point lookup each, so a channel's mentions cost no member list. More than {@code
     * maxMentions} was refused by {@link #validate} (never cut silently: someone would go un-notified).
     */
    private List<String> mentions(String conversationId, ConversationMeta meta, SendMessage send) {
        Set<String> kept = new LinkedHashSet<>();
        for (String user : send.getMentions()) {
            if (Membership.isValidUserId(user) && state.isMember(conversationId, meta, user)) {
                kept.add(user);
            }
        }
        return List.copyOf(kept);
    }

    /** A display name is decoration: an over-long or blank one is trimmed or dropped, never a rejection. */
    private static String senderName(SendMessage send) {
        String name = send.getSenderName();
        if (name == null || name.isBlank()) {
            return null;
        }
        name = name.strip();
        return name.codePointCount(0, name.length()) <= MAX_NAME_CODE_POINTS
                ? name
                : name.substring(0, name.offsetByCodePoints(0, MAX_NAME_CODE_POINTS));
    }

    /** The body rules an edit shares with a send: null if it may be stored. */
    static Outcome checkBody(String body, int maxBodyBytes) {
        if (exceeds(body, maxBodyBytes)) {
            return new Outcome.Rejected(ErrorCode.TOO_LARGE, "body is larger than " + maxBodyBytes + " bytes");
        }
        if (body.isBlank()) {
            return new Outcome.Rejected(ErrorCode.BAD_REQUEST, "a message needs a body");
        }
        return null;
    }

    private Outcome validate(SendMessage send, long lastSeq) {
        String body = send.getBody();
        if (exceeds(body, maxBodyBytes)) {
            return new Outcome.Rejected(ErrorCode.TOO_LARGE, "body is larger than " + maxBodyBytes + " bytes");
        }
        if (body.isBlank() && send.getMedia().isEmpty()) {
            return new Outcome.Rejected(ErrorCode.BAD_REQUEST, "a message needs a body or media");
        }
        if (new java.util.HashSet<>(send.getMentions()).size() > maxMentions) {
            return new Outcome.Rejected(ErrorCode.TOO_LARGE, "a message mentions at most " + maxMentions + " people");
        }
        if (send.getMedia().size() > MAX_MEDIA) {
            return new Outcome.Rejected(ErrorCode.TOO_LARGE, "at most " + MAX_MEDIA + " media per message");
        }
        Long replyTo = send.getReplyTo();
        if (replyTo != null && (replyTo < 1 || replyTo > lastSeq)) {
            return new Outcome.Rejected(ErrorCode.BAD_REQUEST, "reply_to names no message of this conversation");
        }
        return null;
    }

    private static boolean exceeds(String body, int maxBytes) {
        // a UTF-16 char is at most 3 UTF-8 bytes: most bodies are decided without encoding them
        if ((long) body.length() * 3 <= maxBytes) {
            return false;
        }
        return body.getBytes(StandardCharsets.UTF_8).length > maxBytes;
    }
}
