package dev.parley.edge.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.edge.ApiException;
import dev.parley.schema.ErrorCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The opaque {@code next} cursor of a search: the sort values of the page's last hit (OpenSearch's
 * {@code search_after}), bound to the query it came from and signed with HMAC-SHA256, so a client
 * can neither forge sort values nor reuse a cursor with another query or user. Any edge sharing the
 * key ({@code auth.jwt.secret}, derived for this use) accepts any edge's cursor.
 */
public final class SearchCursor {

    private static final Base64.Encoder ENCODE = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODE = Base64.getUrlDecoder();
    private static final int MAX_CHARS = 2048;

    private final ObjectMapper json;
    private final SecretKeySpec key;

    public SearchCursor(ObjectMapper json, String secret) {
        this.json = json;
        this.key = new SecretKeySpec(
                sha256(("parley-search-cursor:" + secret).getBytes(StandardCharsets.UTF_8)), "HmacSHA256");
    }

    /** The cursor for {@code sortValues}, valid only for a query with the same {@code scope}. */
    public String encode(String scope, ArrayNode sortValues) {
        ObjectNode payload = json.createObjectNode();
        payload.put("q", ENCODE.encodeToString(sha256(scope.getBytes(StandardCharsets.UTF_8))));
        payload.set("after", sortValues);
        try {
            String body = ENCODE.encodeToString(json.writeValueAsBytes(payload));
            return body + "." + ENCODE.encodeToString(mac(body));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The sort values of a cursor.
     *
     * @throws ApiException {@code bad_request} for a malformed, tampered or foreign cursor
     */
    public ArrayNode decode(String scope, String cursor) {
        int dot = cursor.indexOf('.');
        if (cursor.length() > MAX_CHARS || dot < 1) {
            throw bad();
        }
        String body = cursor.substring(0, dot);
        try {
            // compared as text: a decoder ignores a last character's unused bits, so bytes alone
            // would accept a cursor with its final character changed
            byte[] expectedMac = ENCODE.encodeToString(mac(body)).getBytes(StandardCharsets.US_ASCII);
            if (!MessageDigest.isEqual(expectedMac, cursor.substring(dot + 1).getBytes(StandardCharsets.US_ASCII))) {
                throw bad();
            }
            JsonNode payload = json.readTree(DECODE.decode(body));
            String expected = ENCODE.encodeToString(sha256(scope.getBytes(StandardCharsets.UTF_8)));
            if (!expected.equals(payload.path("q").asText())
                    || !payload.path("after").isArray()) {
                throw new ApiException(ErrorCode.BAD_REQUEST, "the cursor belongs to another search");
            }
            return (ArrayNode) payload.get("after");
        } catch (IllegalArgumentException | IOException e) {
            throw bad();
        }
    }

    private static ApiException bad() {
        return new ApiException(ErrorCode.BAD_REQUEST, "invalid cursor");
    }

    private byte[] mac(String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(body.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
