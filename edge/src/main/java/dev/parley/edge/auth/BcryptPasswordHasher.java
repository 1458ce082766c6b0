package dev.parley.edge.auth;

import at.favre.lib.crypto.bcrypt.BCrypt;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * bcrypt (cost 10, about 50 ms here) of a pre-hashed password.
 *
 * <p>bcrypt reads at most 72 bytes (the library refuses more, which was a 500), so new hashes are
 * bcrypt over base64(HMAC-SHA256(password)): 44 ASCII bytes whatever the password's length, with no
 * NUL byte for bcrypt to stop at, and two passwords differing after byte 72 stay different. They are
 * stored as {@value #PREHASHED} followed by the bcrypt string; a stored hash without the marker is a
 * plain bcrypt hash of an account made before, and still verifies.
 */
public final class BcryptPasswordHasher implements PasswordHasher {

    static final String PREHASHED = "hmac-sha256+";
    private static final int BCRYPT_MAX_BYTES = 72;
    // a fixed domain separator, not a secret: the pre-hash only has to fit any password into bcrypt
    private static final byte[] PREHASH_KEY = "parley password pre-hash v1".getBytes(StandardCharsets.US_ASCII);

    private final int cost;

    public BcryptPasswordHasher(int cost) {
        this.cost = cost;
    }

    @Override
    public String hash(String password) {
        return PREHASHED
                + BCrypt.withDefaults().hashToString(cost, prehash(password).toCharArray());
    }

    @Override
    public boolean matches(String password, String storedHash) {
        if (storedHash.startsWith(PREHASHED)) {
            return verify(
                    prehash(password).getBytes(StandardCharsets.US_ASCII), storedHash.substring(PREHASHED.length()));
        }
        byte[] plain = password.getBytes(StandardCharsets.UTF_8);
        // an old plain hash was made from at most 72 bytes; a longer password cannot be it
        return plain.length <= BCRYPT_MAX_BYTES && verify(plain, storedHash);
    }

    private static boolean verify(byte[] password, String bcrypt) {
        return BCrypt.verifyer().verify(password, bcrypt.getBytes(StandardCharsets.US_ASCII)).verified;
    }

    private static String prehash(String password) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(PREHASH_KEY, "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(password.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
