package dev.parley.schema;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Conversation id rules shared by edge and topology. A direct conversation's id is derived from
 * its two members, so both sides name the same conversation and creating it twice finds the first.
 * A group's or channel's id is random, or derived from its creator and the client's create id
 * when the request names one, so a create retried after a lost answer finds the first group
 * instead of making a second.
 */
public final class ConversationIds {

    private static final String GROUP_PREFIX = "g_";
    private static final String CHANNEL_PREFIX = "c_";
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private ConversationIds() {}

    public static boolean isValid(String conversationId) {
        return conversationId != null && VALID.matcher(conversationId).matches();
    }

    public static String direct(String userA, String userB) {
        String first = userA.compareTo(userB) <= 0 ? userA : userB;
        String second = first.equals(userA) ? userB : userA;
        return derived("d_", first, second);
    }

    public static String newGroup() {
        return GROUP_PREFIX + UUID.randomUUID().toString().replace("-", "");
    }

    /**
     * The group that {@code creator}'s create with client id {@code createId} makes (DESIGN 7,
     * additive): the same 32 hex digits as a random id, so nothing downstream tells them apart.
     */
    public static String group(String creator, String createId) {
        return derived(GROUP_PREFIX, creator, createId);
    }

    /** The channel that {@code creator}'s create with client id {@code createId} makes; see {@link #group}. */
    public static String channel(String creator, String createId) {
        return derived(CHANNEL_PREFIX, creator, createId);
    }

    private static String derived(String prefix, String first, String second) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            // a separator that cannot occur in a user or client id keeps ("ab","c") apart from ("a","bc")
            byte[] digest = sha.digest((first + '\u0000' + second).getBytes(StandardCharsets.UTF_8));
            return prefix + HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    /**
     * A new channel's id (v6). The prefix marks it a channel for the edge, which fans a channel's
     * events out to its local members' sockets and must know which conversations are channels without
     * a lookup; the topology refuses a channel under any other id, and a group under this one.
     */
    public static String newChannel() {
        return CHANNEL_PREFIX + UUID.randomUUID().toString().replace("-", "");
    }

    public static boolean isChannel(String conversationId) {
        return conversationId != null && conversationId.startsWith(CHANNEL_PREFIX);
    }
}
