package dev.parley.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import dev.parley.edge.auth.ExternalTokenVerifier;
import dev.parley.edge.auth.TokenService;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Tokens of an external issuer, verified against its JWKS served over real HTTP on loopback. */
class ExternalTokenVerifierIT {

    private final HttpServer jwks;
    private final RSAKey key;
    private final TokenService tokens;

    ExternalTokenVerifierIT() throws Exception {
        key = new RSAKeyGenerator(2048).keyID("k1").generate();
        byte[] body = new JWKSet(key.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
        jwks = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        jwks.createContext("/jwks.json", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        jwks.start();
        String url = "http://127.0.0.1:" + jwks.getAddress().getPort() + "/jwks.json";
        tokens = new TokenService(
                "0123456789abcdef0123456789abcdef",
                "parley",
                Duration.ofHours(1),
                Clock.systemUTC(),
                new ExternalTokenVerifier(url, "https://id.example", "parley-chat"));
    }

    @AfterEach
    void stop() {
        jwks.stop(0);
    }

    private String token(RSAKey signer, String issuer, Instant expires) throws Exception {
        return token(signer, issuer, expires, "parley-chat", "ext-user-1");
    }

    private String token(RSAKey signer, String issuer, Instant expires, String audience, String subject)
            throws Exception {
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.RS256)
                        .keyID(signer.getKeyID())
                        .build(),
                new JWTClaimsSet.Builder()
                        .subject(subject)
                        .audience(audience)
                        .issuer(issuer)
                        .expirationTime(Date.from(expires))
                        .build());
        jwt.sign(new RSASSASigner(signer));
        return jwt.serialize();
    }

    @Test
    void shouldAcceptTheIssuersTokensAndKeepAcceptingOurOwn() throws Exception {
        assertThat(tokens.verify(token(key, "https://id.example", Instant.now().plusSeconds(60))))
                .isEqualTo("ext-user-1");
        assertThat(tokens.verify(tokens.issue("u_1"))).isEqualTo("u_1");
    }

    @Test
    void shouldRefuseToTrustAnIssuerWithoutAnAudience() {
        assertThatThrownBy(() -> new ExternalTokenVerifier("http://127.0.0.1:1/jwks.json", "https://id.example", ""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("auth.jwks.audience");
    }

    @Test
    void shouldRefuseAnotherIssuerAnotherAudienceABuiltInSubjectAnExpiredTokenAndAnUnknownKey() throws Exception {
        assertThatThrownBy(() -> tokens.verify(
                        token(key, "https://evil.example", Instant.now().plusSeconds(60))))
                .isInstanceOf(ApiException.class);
        assertThatThrownBy(() -> tokens.verify(
                        token(key, "https://id.example", Instant.now().minusSeconds(60))))
                .isInstanceOf(ApiException.class);
        // a token the same issuer minted for another of its services
        assertThatThrownBy(() -> tokens.verify(
                        token(key, "https://id.example", Instant.now().plusSeconds(60), "billing", "ext-user-1")))
                .isInstanceOf(ApiException.class);
        // an external subject posing as a built-in account
        assertThatThrownBy(() -> tokens.verify(token(
                        key,
                        "https://id.example",
                        Instant.now().plusSeconds(60),
                        "parley-chat",
                        "u_0123456789abcdef0123456789abcdef")))
                .isInstanceOf(ApiException.class);
        RSAKey stranger = new RSAKeyGenerator(2048).keyID("k2").generate();
        assertThatThrownBy(() -> tokens.verify(
                        token(stranger, "https://id.example", Instant.now().plusSeconds(60))))
                .isInstanceOf(ApiException.class);
    }
}
