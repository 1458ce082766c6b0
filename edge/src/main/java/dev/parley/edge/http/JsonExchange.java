package dev.parley.edge.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.edge.ApiException;
import dev.parley.edge.ClientInput;
import dev.parley.schema.ErrorCode;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.xnio.channels.StreamSourceChannel;

/** Reading JSON requests and writing JSON answers, with the error body of DESIGN section 5. */
public final class JsonExchange {

    private static final int MAX_REQUEST_BYTES = 256 * 1024;
    private static final int MAX_IDS = 1024;

    private static final long DEFAULT_BODY_TIMEOUT_MS = 10_000;

    private final ObjectMapper json;
    private final long bodyTimeoutNanos;

    public JsonExchange(ObjectMapper json) {
        this(json, DEFAULT_BODY_TIMEOUT_MS);
    }

    /** @param bodyTimeoutMs how long a request body may take to arrive ({@code http.body.timeout.ms}) */
    public JsonExchange(ObjectMapper json, long bodyTimeoutMs) {
        this.json = json;
        this.bodyTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(bodyTimeoutMs);
    }

    public ObjectMapper json() {
        return json;
    }

    /**
     * The request body as a JSON object; must run on a worker thread (it blocks). The request must
     * say {@code Content-Type: application/json}: a form post from another site's page
     * ({@code text/plain} and form types need no CORS preflight) must never be read as a command.
     */
    public JsonNode readObject(HttpServerExchange exchange) {
        String type = exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE);
        if (!isJson(type)) {
            throw new ApiException(
                    ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                    "the body must be sent with Content-Type: application/json"
                            + (type == null ? "" : ", not " + abbreviate(type)));
        }
        byte[] body;
        try {
            body = readBody(exchange);
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
            String problem = ClientInput.problemIn(node);
            if (problem != null) {
                throw new ApiException(ErrorCode.BAD_REQUEST, problem);
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "malformed JSON");
        } catch (IOException e) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "cannot read the request body");
        }
    }

    /**
     * At most {@code MAX_REQUEST_BYTES + 1} bytes of the body, within {@code http.body.timeout.ms}: a
     * body trickled byte by byte (slowloris) would otherwise hold one of the few API threads for as
     * long as the client likes. A late body is {@code bad_request} and the connection is closed.
     */
    private byte[] readBody(HttpServerExchange exchange) throws IOException {
        StreamSourceChannel channel = exchange.getRequestChannel();
        if (channel == null) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "cannot read the request body");
        }
        long deadline = System.nanoTime() + bodyTimeoutNanos;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer chunk = ByteBuffer.allocate(8192);
        while (out.size() <= MAX_REQUEST_BYTES) {
            chunk.clear();
            int n = channel.read(chunk);
            if (n == -1) {
                break;
            }
            if (n == 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    exchange.setPersistent(false);
                    throw new ApiException(
                            ErrorCode.BAD_REQUEST,
                            "the request body did not arrive within " + TimeUnit.NANOSECONDS.toMillis(bodyTimeoutNanos)
                                    + " ms");
                }
                channel.awaitReadable(left, TimeUnit.NANOSECONDS);
                continue;
            }
            out.write(chunk.array(), 0, Math.min(n, MAX_REQUEST_BYTES + 1 - out.size()));
        }
        return out.toByteArray();
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

    /**
     * An array of at most {@value #MAX_IDS} ids (the group member cap; each id as {@link
     * ClientInput#isIdentifier} says): bounded before anything is looked up for its entries.
     */
    public static java.util.List<String> idArray(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isArray()) {
            throw new ApiException(ErrorCode.BAD_REQUEST, field + " must be an array of ids");
        }
        if (value.size() > MAX_IDS) {
            throw new ApiException(ErrorCode.BAD_REQUEST, field + " holds more than " + MAX_IDS + " ids");
        }
        java.util.List<String> out = new java.util.ArrayList<>();
        for (JsonNode v : value) {
            if (!v.isTextual() || !ClientInput.isIdentifier(v.asText())) {
                throw new ApiException(
                        ErrorCode.BAD_REQUEST,
                        field + " must be an array of ids (1 to 128 characters, none of them control or space)");
            }
            out.add(v.asText());
        }
        return out;
    }

    /**
     * {@link #idArray} with each id once, in first-seen order: for member lists, where each id is
     * looked up, so one id listed 1,024 times must cost one lookup (media ids stay a plain array:
     * a repeated one is refused there).
     */
    public static java.util.List<String> distinctIdArray(JsonNode node, String field) {
        return new java.util.ArrayList<>(new java.util.LinkedHashSet<>(idArray(node, field)));
    }

    /** An optional id (see {@link ClientInput#isIdentifier}). */
    public static String optionalId(JsonNode node, String field) {
        String id = optionalText(node, field);
        if (id != null && !ClientInput.isIdentifier(id)) {
            throw new ApiException(
                    ErrorCode.BAD_REQUEST, field + " must be 1 to 128 characters, none of them control or space");
        }
        return id;
    }

    /** A required id (see {@link ClientInput#isIdentifier}). */
    public static String requiredId(JsonNode node, String field) {
        String id = optionalId(node, field);
        if (id == null) {
            throw new ApiException(ErrorCode.BAD_REQUEST, field + " must be a non-empty string");
        }
        return id;
    }

    /** An optional display or group name (see {@link ClientInput#isName}). */
    public static String optionalName(JsonNode node, String field) {
        String name = optionalText(node, field);
        if (name != null && !ClientInput.isName(name)) {
            throw new ApiException(
                    ErrorCode.BAD_REQUEST, field + " must not contain control characters or bidi overrides");
        }
        return name;
    }

    /** A JSON boolean, or {@code otherwise} when absent; "yes", 1 or "true" are refused, not coerced. */
    public static boolean optionalBoolean(JsonNode node, String field, boolean otherwise) {
        JsonNode value = node.get(field);
        if (value == null) {
            return otherwise;
        }
        if (!value.isBoolean()) {
            throw new ApiException(ErrorCode.BAD_REQUEST, field + " must be true or false");
        }
        return value.booleanValue();
    }

    private static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        int semicolon = contentType.indexOf(';');
        String mime = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip();
        return mime.equalsIgnoreCase("application/json");
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }
}
