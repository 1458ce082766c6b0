package dev.parley.connect.push;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A local stand-in for Google's OAuth2 token endpoint and FCM HTTP v1, checking requests as
 * documented: the token endpoint wants a JWT-bearer grant signed by the service account's key, with
 * the firebase.messaging scope; messages:send wants that access token and a JSON {@code message}
 * with a {@code token}. Errors are answered in FCM's format ({@code FcmError.errorCode}).
 */
final class FakeFcm implements AutoCloseable {

    static final String PROJECT = "parley-test";
    static final String CLIENT_EMAIL = "push@parley-test.iam.gserviceaccount.com";
    static final String ACCESS_TOKEN = "ya29.fake-access-token";

    record Received(String token, JsonNode message, String authorization, String contentType, long atNanos) {}

    record Reply(int status, String body, String retryAfter, long delayMillis) {
        static Reply ok() {
            return new Reply(200, "{\"name\":\"projects/" + PROJECT + "/messages/1\"}", null, 0);
        }

        static Reply error(int status, String grpcStatus, String errorCode, String message, String retryAfter) {
            String body = "{\"error\":{\"code\":" + status + ",\"message\":\"" + message + "\",\"status\":\""
                    + grpcStatus + "\",\"details\":[{\"@type\":\"type.googleapis.com/google.firebase.fcm.v1.FcmError\","
                    + "\"errorCode\":\"" + errorCode + "\"}]}}";
            return new Reply(status, body, retryAfter, 0);
        }

        static Reply slow(long millis) {
            return new Reply(200, ok().body(), null, millis);
        }
    }

    private final ObjectMapper json = new ObjectMapper();
    private final HttpServer server;
    private final KeyPair account;
    private final Map<String, Deque<Reply>> scripts = new ConcurrentHashMap<>();
    final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    final List<String> tokenGrantErrors = new java.util.concurrent.CopyOnWriteArrayList<>();
    volatile int tokensIssued;

    FakeFcm() throws Exception {
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        account = rsa.generateKeyPair();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/token", this::token);
        server.createContext("/v1/projects/", this::send);
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The service account JSON as the Firebase console downloads it, pointing at this server. */
    Path writeServiceAccount(Path dir) throws IOException {
        String key = "-----BEGIN PRIVATE KEY-----\\n"
                + Base64.getEncoder().encodeToString(account.getPrivate().getEncoded())
                + "\\n-----END PRIVATE KEY-----\\n";
        String content = "{\"type\":\"service_account\",\"project_id\":\"" + PROJECT + "\",\"private_key_id\":\"k1\","
                + "\"private_key\":\"" + key + "\",\"client_email\":\"" + CLIENT_EMAIL + "\",\"client_id\":\"1\","
                + "\"token_uri\":\"" + baseUrl() + "/token\"}";
        Path file = dir.resolve("service-account.json");
        Files.writeString(file, content);
        return file;
    }

    /** Replies for a device token, in order; once used up, 200. */
    void script(String token, Reply... replies) {
        scripts.put(token, new ArrayDeque<>(List.of(replies)));
    }

    private void token(HttpExchange ex) throws IOException {
        String form = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Map<String, String> params = new HashMap<>();
        for (String pair : form.split("&")) {
            int eq = pair.indexOf('=');
            params.put(
                    URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        String problem = checkGrant(params);
        if (problem != null) {
            tokenGrantErrors.add(problem);
            respond(ex, 400, "{\"error\":\"invalid_grant\",\"error_description\":\"" + problem + "\"}", null);
            return;
        }
        tokensIssued++;
        respond(
                ex,
                200,
                "{\"access_token\":\"" + ACCESS_TOKEN + "\",\"expires_in\":3600,\"token_type\":\"Bearer\"}",
                null);
    }

    private String checkGrant(Map<String, String> params) {
        try {
            if (!"urn:ietf:params:oauth:grant-type:jwt-bearer".equals(params.get("grant_type"))) {
                return "grant_type " + params.get("grant_type");
            }
            String[] jwt = params.get("assertion").split("\\.");
            Signature rs256 = Signature.getInstance("SHA256withRSA");
            rs256.initVerify(account.getPublic());
            rs256.update((jwt[0] + "." + jwt[1]).getBytes(StandardCharsets.US_ASCII));
            if (!rs256.verify(Base64.getUrlDecoder().decode(jwt[2]))) {
                return "bad signature";
            }
            JsonNode claims = json.readTree(Base64.getUrlDecoder().decode(jwt[1]));
            if (!CLIENT_EMAIL.equals(claims.path("iss").asText())) {
                return "iss " + claims.path("iss");
            }
            // Google documents the assertion audience as its token endpoint, whatever token_uri says
            if (!"https://oauth2.googleapis.com/token".equals(claims.path("aud").asText())) {
                return "aud " + claims.path("aud");
            }
            if (!claims.path("scope").asText().contains(FcmSender.SCOPE)) {
                return "scope " + claims.path("scope");
            }
            return null;
        } catch (Exception e) {
            return e.toString();
        }
    }

    private void send(HttpExchange ex) throws IOException {
        String expectedPath = "/v1/projects/" + PROJECT + "/messages:send";
        if (!"POST".equals(ex.getRequestMethod())
                || !expectedPath.equals(ex.getRequestURI().getPath())) {
            respond(
                    ex,
                    404,
                    Reply.error(404, "NOT_FOUND", "UNSPECIFIED_ERROR", "no such method", null)
                            .body(),
                    null);
            return;
        }
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (!("Bearer " + ACCESS_TOKEN).equals(auth)) {
            respond(
                    ex,
                    401,
                    Reply.error(401, "UNAUTHENTICATED", "THIRD_PARTY_AUTH_ERROR", "bad token", null)
                            .body(),
                    null);
            return;
        }
        JsonNode body = json.readTree(ex.getRequestBody());
        JsonNode message = body.path("message");
        String token = message.path("token").asText(null);
        received.add(
                new Received(token, message, auth, ex.getRequestHeaders().getFirst("Content-Type"), System.nanoTime()));
        if (token == null) {
            Reply r = Reply.error(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT", "message.token is required", null);
            respond(ex, r.status(), r.body(), null);
            return;
        }
        Deque<Reply> script = scripts.get(token);
        Reply reply = script == null || script.isEmpty() ? Reply.ok() : script.poll();
        if (reply.delayMillis() > 0) {
            try {
                Thread.sleep(reply.delayMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        respond(ex, reply.status(), reply.body(), reply.retryAfter());
    }

    private static void respond(HttpExchange ex, int status, String body, String retryAfter) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=UTF-8");
        if (retryAfter != null) {
            ex.getResponseHeaders().set("Retry-After", retryAfter);
        }
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
        ex.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
