package dev.parley.edge.auth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.parley.edge.ApiException;
import dev.parley.schema.ErrorCode;
import java.net.MalformedURLException;
import java.net.URI;
import java.util.Set;

/**
 * Tokens from the operator's identity provider: RS256 or ES256 JWTs whose keys come from its JWKS
 * URL (fetched and cached by nimbus, refetched for an unknown key id), with the configured issuer,
 * the configured audience (an issuer signs tokens for many services: one minted for another of
 * them must not open Parley), an expiry and a subject, which becomes the user id. A subject in the
 * form of a built-in account id ({@code u_...}) is refused, so an external user can never speak
 * as a built-in one on an edge that accepts both.
 */
public final class ExternalTokenVerifier {

    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();

    public ExternalTokenVerifier(String jwksUrl, String issuer, String audience) {
        if (audience == null || audience.isBlank()) {
            throw new IllegalArgumentException(
                    "an external issuer needs auth.jwks.audience: the aud its tokens" + " for Parley carry");
        }
        JWKSource<SecurityContext> keys;
        try {
            keys = JWKSourceBuilder.create(URI.create(jwksUrl).toURL())
                    .retrying(true)
                    .build();
        } catch (MalformedURLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid JWKS URL " + jwksUrl, e);
        }
        processor.setJWSKeySelector(
                new JWSVerificationKeySelector<>(Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256), keys));
        processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(
                audience, new JWTClaimsSet.Builder().issuer(issuer).build(), Set.of("sub", "exp")));
    }

    public String verify(String token) {
        return authenticate(token).userId();
    }

    public Principal authenticate(String token) {
        try {
            JWTClaimsSet claims = processor.process(token, null);
            if (AccountStore.isBuiltInId(claims.getSubject())) {
                throw new ApiException(ErrorCode.UNAUTHORIZED, "invalid access token");
            }
            return new Principal(
                    claims.getSubject(),
                    TokenService.nameOf(claims),
                    claims.getExpirationTime().toInstant());
        } catch (BadJOSEException | java.text.ParseException e) {
            throw new ApiException(ErrorCode.UNAUTHORIZED, "invalid access token");
        } catch (com.nimbusds.jose.JOSEException e) {
            throw new ApiException(ErrorCode.UNAUTHORIZED, "cannot verify the access token now");
        }
    }
}
