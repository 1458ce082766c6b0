package dev.parley.connect.push;

import dev.parley.schema.PushRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * What every provider's payload says, in one place. A content-free push (null title and body)
 * shows a generic line; the app fetches the message itself. The collapse key lets a provider
 * replace an earlier push about the same conversation, which also makes a push sent twice (a
 * retry after a crash) show once.
 */
final class PushContent {

    static final String GENERIC_TITLE = "New message";

    private PushContent() {}

    static String title(PushRequest push) {
        return push.getTitle() == null ? GENERIC_TITLE : push.getTitle();
    }

    /** Null for a content-free push. */
    static String body(PushRequest push) {
        return push.getBody();
    }

    static boolean contentFree(PushRequest push) {
        return push.getTitle() == null && push.getBody() == null;
    }

    /**
     * A collapse key of at most 32 URL-safe characters (the Web Push Topic header's limit; APNs
     * allows 64 bytes), stable per conversation.
     */
    static String collapseKey(PushRequest push) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256")
                    .digest(push.getConversationId().getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(hash).substring(0, 32);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is a required JDK algorithm", e);
        }
    }
}
