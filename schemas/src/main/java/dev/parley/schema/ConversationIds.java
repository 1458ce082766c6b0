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
 */
public final class ConversationIds {

    private static final String CHANNEL_PREFIX = "c_";
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private ConversationIds() {}

    public static boolean isValid(String conversationId) {
        return conversationId != null && VALID.matcher(conversationId).matches();
    }

    public static String direct(String userA, String userB) {
        String first = userA.compareTo(userB) <= 0 ? userA : userB;
        String second = first.equals(userA) ? userB : userA;
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            // a separator that cannot occur in a user id keeps ("ab","c") apart from ("a","bc")
            byte[] digest = sha.digest((first + '\u0000' + second).getBytes(StandardCharsets.UTF_8));
            return "d_" + HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    public static String newGroup() {
        return "g_" + UUID.randomUUID().toString().replace("-", "");
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
