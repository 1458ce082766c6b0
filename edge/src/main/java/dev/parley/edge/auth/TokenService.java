package dev.parley.edge.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.parley.edge.ApiException;
import dev.parley.schema.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

/**
 * Access tokens: HS256 JWTs with {@code sub} = user id, signed with a secret every edge shares.
 * A bad signature, a wrong issuer or an expired token is {@code unauthorized}.
 */
public final class TokenService {

    static final String NAME_CLAIM = "name";

    private final byte[] secret;
    private final String issuer;
    private final Duration ttl;
    private final Clock clock;
    private final ExternalTokenVerifier external;

    public TokenService(String secret, String issuer, Duration ttl, Clock clock) {
        this(secret, issuer, ttl, clock, null);
    }

    /** @param external verifies tokens of the operator's issuer (asymmetric algorithms), or null */
    public TokenService(String secret, String issuer, Duration ttl, Clock clock, ExternalTokenVerifier external) {
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
        this.issuer = issuer;
        this.ttl = ttl;
        this.clock = clock;
        this.external = external;
    }

    public Duration ttl() {
        return ttl;
    }

    public String issue(String userId) {
        return issue(userId, null);
    }

    public String issue(String userId, String displayName) {
        Instant now = clock.instant();
        JWTClaimsSet.Builder builder = new JWTClaimsSet.Builder()
                .subject(userId)
                .issuer(issuer)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(ttl)));
        if (displayName != null) {
            builder.claim(NAME_CLAIM, displayName);
        }
        JWTClaimsSet claims = builder.build();
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
            jwt.sign(new MACSigner(secret));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a token", e);
        }
    }

    /** The user id of a valid token. */
    public String verify(String token) {
        return authenticate(token).userId();
    }

    /** The user of a valid token, with the display name it carries. */
    public Principal authenticate(String token) {
        if (token == null || token.isBlank()) {
            throw new ApiException(ErrorCode.UNAUTHORIZED, "missing access token");
        }
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            if (external != null && !JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm())) {
                return external.authenticate(token);
            }
            if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm()) || !jwt.verify(new MACVerifier(secret))) {
                throw new ApiException(ErrorCode.UNAUTHORIZED, "invalid access token");
            }
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            Date expires = claims.getExpirationTime();
            if (expires == null || !expires.toInstant().isAfter(clock.instant())) {
                throw new ApiException(ErrorCode.UNAUTHORIZED, "access token expired");
            }
            if (!issuer.equals(claims.getIssuer()) || claims.getSubject() == null) {
                throw new ApiException(ErrorCode.UNAUTHORIZED, "invalid access token");
            }
            return new Principal(claims.getSubject(), nameOf(claims), expires.toInstant());
        } catch (ParseException | JOSEException e) {
            throw new ApiException(ErrorCode.UNAUTHORIZED, "invalid access token");
        }
    }

    /** The standard OpenID Connect {@code name} claim, if it is a string. */
    static String nameOf(JWTClaimsSet claims) {
        Object name = claims.getClaim(NAME_CLAIM);
        return name instanceof String s && !s.isBlank() ? s : null;
    }
}
