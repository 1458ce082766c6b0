package dev.parley.edge.http;

import dev.parley.edge.ApiException;
import dev.parley.edge.auth.BearerToken;
import dev.parley.edge.auth.Principal;
import dev.parley.edge.auth.TokenService;
import dev.parley.schema.ErrorCode;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import io.undertow.util.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an API endpoint on a worker thread (they block on Cassandra, Redis or an ack), authenticates
 * it when asked, and turns every failure into a JSON error with a code: never a stack trace.
 */
public final class ApiHandler implements HttpHandler {

    /** An endpoint; {@code userId} is null for the public ones. */
    public interface Endpoint {
        void handle(HttpServerExchange exchange, String userId) throws Exception;
    }

    private static final Logger log = LoggerFactory.getLogger(ApiHandler.class);

    private final Endpoint endpoint;
    private final TokenService tokens;
    private final JsonExchange io;

    private ApiHandler(Endpoint endpoint, TokenService tokens, JsonExchange io) {
        this.endpoint = endpoint;
        this.tokens = tokens;
        this.io = io;
    }

    /** The authenticated caller, for endpoints that need more than the user id. */
    public static final AttachmentKey<Principal> PRINCIPAL = AttachmentKey.create(Principal.class);

    public static ApiHandler open(Endpoint endpoint, JsonExchange io) {
        return new ApiHandler(endpoint, null, io);
    }

    public static ApiHandler authenticated(Endpoint endpoint, TokenService tokens, JsonExchange io) {
        return new ApiHandler(endpoint, tokens, io);
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        if (exchange.isInIoThread()) {
            exchange.dispatch(this);
            return;
        }
        try {
            Principal principal = tokens == null ? null : tokens.authenticate(BearerToken.from(exchange));
            if (principal != null) {
                exchange.putAttachment(PRINCIPAL, principal);
            }
            endpoint.handle(exchange, principal == null ? null : principal.userId());
        } catch (ApiException e) {
            if (e.retryAfter() != null) {
                exchange.getResponseHeaders()
                        .put(Headers.RETRY_AFTER, Long.toString(e.retryAfter().toSeconds()));
            }
            io.error(exchange, e.code(), e.getMessage());
        } catch (Exception e) {
            log.error("{} {} failed", exchange.getRequestMethod(), exchange.getRequestPath(), e);
            io.error(exchange, ErrorCode.INTERNAL, "internal error");
        }
    }
}
