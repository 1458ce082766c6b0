package dev.parley.edge.media;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Media ids that prove who uploaded them: {@code m_<22 chars random>.<22 chars tag>}, the tag an
 * HMAC-SHA256 (first 128 bits) of the random part and the uploader's user id. So {@code send} checks
 * that its sender uploaded each id with no read at all (DESIGN 7.1 "who may attach"): a forged id,
 * or someone else's, fails the tag. The key is derived from the edge's token secret ({@code
 * auth.jwt.secret}), which every edge of a deployment shares; rotating it invalidates unsent ids
 * only (ids already in messages are looked up, never re-verified).
 */
public final class MediaIds {

    private static final int RANDOM_BYTES = 16;
    private static final int TAG_BYTES = 16;
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    /** "m_" + 22 + "." + 22 */
    private static final int LENGTH = 2 + 22 + 1 + 22;

    private final SecretKeySpec key;
    private final SecureRandom random = new SecureRandom();

    public MediaIds(String edgeSecret) {
        // a key of its own, derived from the secret, so a media tag is never a valid token signature
        this.key = new SecretKeySpec(
                hmac(
                        new SecretKeySpec(edgeSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"),
                        "parley media id v1"),
                "HmacSHA256");
    }

    /** A new id owned by {@code uploader}. */
    public String mint(String uploader) {
        byte[] r = new byte[RANDOM_BYTES];
        random.nextBytes(r);
        String randomPart = B64.encodeToString(r);
        return "m_" + randomPart + "." + B64.encodeToString(tag(randomPart, uploader));
    }

    /** Whether {@code id} is well formed (what any id of a stored media looks like). */
    public static boolean isWellFormed(String id) {
        return id != null
                && id.length() == LENGTH
                && id.startsWith("m_")
                && id.charAt(24) == '.'
                && id.chars()
                        .allMatch(c -> Character.isLetterOrDigit(c) && c < 128 || c == '_' || c == '-' || c == '.');
    }

    /** Whether {@code id} was minted for {@code uploader} by an edge holding the same secret. */
    public boolean isOwnedBy(String id, String uploader) {
        if (!isWellFormed(id)) {
            return false;
        }
        // compared as text: the last base64 character carries spare bits, so decoding would accept
        // several spellings of one id (and the tables key media by its exact spelling)
        byte[] expected = B64.encodeToString(tag(id.substring(2, 24), uploader)).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(id.substring(25).getBytes(StandardCharsets.US_ASCII), expected);
    }

    private byte[] tag(String randomPart, String uploader) {
        return Arrays.copyOf(hmac(key, randomPart + "\n" + uploader), TAG_BYTES);
    }

    private static byte[] hmac(SecretKeySpec key, String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
