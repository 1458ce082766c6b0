package dev.parley.connect.push;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.schema.WebPushSubscription;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The browser's side of Web Push, written from the RFCs with the JDK alone (independent of the
 * library the sink uses): a subscription's keys, RFC 8291 aes128gcm decryption, and RFC 8292 VAPID
 * verification.
 */
final class WebPushSubscriber {

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private final KeyPair keys;
    private final byte[] auth = new byte[16];

    WebPushSubscriber() throws GeneralSecurityException {
        keys = newP256();
        new SecureRandom().nextBytes(auth);
    }

    static KeyPair newP256() throws GeneralSecurityException {
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(new ECGenParameterSpec("secp256r1"));
        return ec.generateKeyPair();
    }

    WebPushSubscription subscription(String endpoint) {
        return new WebPushSubscription(
                endpoint, B64.encodeToString(uncompressed((ECPublicKey) keys.getPublic())), B64.encodeToString(auth));
    }

    static byte[] uncompressed(ECPublicKey key) {
        byte[] out = new byte[65];
        out[0] = 4;
        copy32(key.getW().getAffineX(), out, 1);
        copy32(key.getW().getAffineY(), out, 33);
        return out;
    }

    static String vapidPrivate(KeyPair pair) {
        byte[] s = new byte[32];
        copy32(((ECPrivateKey) pair.getPrivate()).getS(), s, 0);
        return B64.encodeToString(s);
    }

    static String vapidPublic(KeyPair pair) {
        return B64.encodeToString(uncompressed((ECPublicKey) pair.getPublic()));
    }

    private static void copy32(BigInteger n, byte[] out, int at) {
        byte[] raw = n.toByteArray();
        int len = Math.min(raw.length, 32);
        System.arraycopy(raw, raw.length - len, out, at + 32 - len, len);
    }

    /** RFC 8291 section 3.4 and RFC 8188: one record, header salt | rs | idlen | keyid. */
    byte[] decrypt(byte[] body) throws GeneralSecurityException {
        ByteBuffer in = ByteBuffer.wrap(body);
        byte[] salt = new byte[16];
        in.get(salt);
        in.getInt(); // record size
        byte[] senderKey = new byte[in.get() & 0xff];
        in.get(senderKey);
        byte[] ciphertext = new byte[in.remaining()];
        in.get(ciphertext);

        KeyAgreement ecdh = KeyAgreement.getInstance("ECDH");
        ecdh.init(keys.getPrivate());
        ecdh.doPhase(point(senderKey), true);
        byte[] shared = ecdh.generateSecret();

        byte[] prkKey = hmac(auth, shared);
        byte[] keyInfo = concat(
                "WebPush: info\0".getBytes(StandardCharsets.US_ASCII),
                uncompressed((ECPublicKey) keys.getPublic()),
                senderKey);
        byte[] ikm = Arrays.copyOf(hmac(prkKey, concat(keyInfo, new byte[] {1})), 32);
        byte[] prk = hmac(salt, ikm);
        byte[] cek = Arrays.copyOf(
                hmac(prk, concat("Content-Encoding: aes128gcm\0".getBytes(StandardCharsets.US_ASCII), new byte[] {1})),
                16);
        byte[] nonce = Arrays.copyOf(
                hmac(prk, concat("Content-Encoding: nonce\0".getBytes(StandardCharsets.US_ASCII), new byte[] {1})), 12);
        Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
        gcm.init(Cipher.DECRYPT_MODE, new SecretKeySpec(cek, "AES"), new GCMParameterSpec(128, nonce));
        byte[] padded = gcm.doFinal(ciphertext);
        int end = padded.length - 1;
        while (end >= 0 && padded[end] == 0) {
            end--;
        }
        if (end < 0 || padded[end] != 2) {
            throw new GeneralSecurityException("missing the last-record delimiter 0x02");
        }
        return Arrays.copyOf(padded, end);
    }

    private PublicKey point(byte[] uncompressed) throws GeneralSecurityException {
        ECPoint w = new ECPoint(
                new BigInteger(1, Arrays.copyOfRange(uncompressed, 1, 33)),
                new BigInteger(1, Arrays.copyOfRange(uncompressed, 33, 65)));
        return KeyFactory.getInstance("EC")
                .generatePublic(new ECPublicKeySpec(w, ((ECPublicKey) keys.getPublic()).getParams()));
    }

    /**
     * RFC 8292: {@code Authorization: vapid t=<JWT>, k=<key>}; the JWT is ES256-signed by k, its aud
     * is the push service's origin, exp within 24 h, sub a contact. Returns the claims if valid.
     */
    static JsonNode verifyVapid(String authorization, String expectedKey, String expectedAudience) throws Exception {
        if (authorization == null || !authorization.startsWith("vapid ")) {
            throw new AssertionError("not a vapid Authorization header: " + authorization);
        }
        String t = null;
        String k = null;
        for (String part : authorization.substring(6).split(",")) {
            String p = part.trim();
            if (p.startsWith("t=")) {
                t = p.substring(2);
            } else if (p.startsWith("k=")) {
                k = p.substring(2);
            }
        }
        if (!expectedKey.equals(k)) {
            throw new AssertionError("k=" + k + " is not the VAPID public key");
        }
        String[] jwt = t.split("\\.");
        byte[] rawKey = Base64.getUrlDecoder().decode(k);
        KeyPair any = newP256();
        ECPoint w = new ECPoint(
                new BigInteger(1, Arrays.copyOfRange(rawKey, 1, 33)),
                new BigInteger(1, Arrays.copyOfRange(rawKey, 33, 65)));
        PublicKey key = KeyFactory.getInstance("EC")
                .generatePublic(new ECPublicKeySpec(w, ((ECPublicKey) any.getPublic()).getParams()));
        Signature es256 = Signature.getInstance("SHA256withECDSAinP1363Format");
        es256.initVerify(key);
        es256.update((jwt[0] + "." + jwt[1]).getBytes(StandardCharsets.US_ASCII));
        if (!es256.verify(Base64.getUrlDecoder().decode(jwt[2]))) {
            throw new AssertionError("VAPID JWT signature does not verify");
        }
        JsonNode claims = new ObjectMapper().readTree(Base64.getUrlDecoder().decode(jwt[1]));
        if (!expectedAudience.equals(claims.path("aud").asText())) {
            throw new AssertionError("aud " + claims.path("aud") + " is not " + expectedAudience);
        }
        long exp = claims.path("exp").asLong();
        long now = System.currentTimeMillis() / 1000;
        if (exp <= now || exp > now + 24 * 3600) {
            throw new AssertionError("exp " + exp + " not within 24 h");
        }
        return claims;
    }

    private static byte[] hmac(byte[] key, byte[] data) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data);
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
