package dev.parley.edge.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.edge.ApiException;
import dev.parley.schema.ErrorCode;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** Reading JSON requests and writing JSON answers, with the error body of DESIGN section 5. */
public final class JsonExchange {

    private static final int MAX_REQUEST_BYTES = 256 * 1024;

    private final ObjectMapper json;

    public JsonExchange(ObjectMapper json) {
        this.json = json;
    }

    public ObjectMapper json() {
        return json;
    }

    /** The request body as a JSON object; must run on a worker thread (it blocks). */
    public JsonNode readObject(HttpServerExchange exchange) {
        exchange.startBlocking();
        byte[] body;
        try (InputStream in = exchange.getInputStream()) {
            body = in.readNBytes(MAX_REQUEST_BYTES + 1);
        } catch (IOException e) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "cannot read the request body");
        }
        if (body.length > MAX_REQUEST_BYTES) {
            throw new ApiException(ErrorCode.TOO_LARGE, "request body is larger than " + MAX_REQUEST_BYTES + " bytes");
        }
        try {
            JsonNode node = json.readTree(body);
            if (node == null || !node.isObject()) {
                throw new ApiException(ErrorCode.BAD_REQUEST, "the body must be a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "malformed JSON");
        } catch (IOException e) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "cannot read the request body");
        }
    }

    public void send(HttpServerExchange exchange, int status, JsonNode body) {
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        exchange.getResponseSender().send(body.toString(), StandardCharsets.UTF_8);
    }

    public void error(HttpServerExchange exchange, ErrorCode code, String message) {
        error(exchange, code.httpStatus(), code.wire(), message);
    }

    public void error(HttpServerExchange exchange, int status, String code, String message) {
        send(exchange, status, json.createObjectNode().put("code", code).put("message", message));
    }

    public static String requiredText(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            throw new ApiException(ErrorCode.BAD_REQUEST, field + " must be a non-empty string");
        }
        return value.asText();
    }

    public static String optionalText(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new ApiException(ErrorCode.BAD_REQUEST, field + " must be a string");
        }
        return value.asText();
    }

    public static java.util.List<String> stringArray(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isArray()) {
            throw new ApiException(ErrorCode.BAD_REQUEST, field + " must be an array of strings");
        }
        java.util.List<String> out = new java.util.ArrayList<>();
        for (JsonNode v : value) {
            if (!v.isTextual() || v.asText().isBlank()) {
                throw new ApiException(ErrorCode.BAD_REQUEST, field + " must be an array of strings");
            }
            out.add(v.asText());
        }
        return out;
    }
}
