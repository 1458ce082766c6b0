package dev.parley.connect.push;

import java.math.BigInteger;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.ECPublicKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;

/**
 * RFC 8292 VAPID: {@code Authorization: vapid t=<ES256 JWT>, k=<public key>}, the JWT's audience
 * being the push resource's origin. Written here rather than taken from web-push, whose audience
 * drops a non-default port (RFC 6454 origins keep it).
 */
final class VapidSigner {

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final String HEADER =
            B64.encodeToString("{\"typ\":\"JWT\",\"alg\":\"ES256\"}".getBytes(StandardCharsets.UTF_8));
    private static final Duration LIFETIME = Duration.ofHours(12);

    private final String publicKey;
    private final PrivateKey privateKey;
    private final String subject;

    /** Keys as base64url: the public key an uncompressed P-256 point, the private key its 32-byte scalar. */
    VapidSigner(String publicKey, String privateKey, String subject) throws GeneralSecurityException {
        this.publicKey = publicKey.trim();
        this.subject = subject;
        ECParameterSpec p256 = p256();
        KeyFactory ec = KeyFactory.getInstance("EC");
        this.privateKey = ec.generatePrivate(
                new ECPrivateKeySpec(new BigInteger(1, Base64.getUrlDecoder().decode(privateKey.trim())), p256));
        byte[] point = Base64.getUrlDecoder().decode(this.publicKey);
        if (point.length != 65 || point[0] != 4) {
            throw new GeneralSecurityException("VAPID public key must be an uncompressed P-256 point (65 bytes)");
        }
        PublicKey pub = ec.generatePublic(new ECPublicKeySpec(
                new ECPoint(
                        new BigInteger(1, Arrays.copyOfRange(point, 1, 33)),
                        new BigInteger(1, Arrays.copyOfRange(point, 33, 65))),
                p256));
        byte[] probe = "vapid key check".getBytes(StandardCharsets.US_ASCII);
        Signature verify = Signature.getInstance("SHA256withECDSAinP1363Format");
        verify.initVerify(pub);
        verify.update(probe);
        if (!verify.verify(sign(probe))) {
            throw new GeneralSecurityException("VAPID public and private keys do not belong together");
        }
    }

    static ECParameterSpec p256() throws GeneralSecurityException {
        AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
        params.init(new ECGenParameterSpec("secp256r1"));
        return params.getParameterSpec(ECParameterSpec.class);
    }

    String authorization(URI endpoint, Instant now) throws GeneralSecurityException {
        int port = endpoint.getPort();
        boolean defaultPort = port == -1
                || (port == 443 && "https".equals(endpoint.getScheme()))
                || (port == 80 && "http".equals(endpoint.getScheme()));
        String audience = endpoint.getScheme() + "://" + endpoint.getHost() + (defaultPort ? "" : ":" + port);
        String claims = "{\"aud\":\"" + audience + "\",\"exp\":"
                + now.plus(LIFETIME).getEpochSecond() + ",\"sub\":\"" + subject.replace("\"", "") + "\"}";
        String signingInput = HEADER + "." + B64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
        String jwt = signingInput + "." + B64.encodeToString(sign(signingInput.getBytes(StandardCharsets.US_ASCII)));
        return "vapid t=" + jwt + ", k=" + publicKey;
    }

    private byte[] sign(byte[] input) throws GeneralSecurityException {
        Signature es256 = Signature.getInstance("SHA256withECDSAinP1363Format");
        es256.initSign(privateKey);
        es256.update(input);
        return es256.sign();
    }
}
