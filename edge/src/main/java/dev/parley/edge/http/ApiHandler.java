package dev.parley.edge.http;

import dev.parley.edge.ApiException;
import dev.parley.edge.auth.BearerToken;
import dev.parley.edge.auth.Principal;
import dev.parley.edge.auth.TokenService;
import dev.parley.schema.CommandLogContext;
import dev.parley.schema.ErrorCode;
import dev.parley.schema.history.WriteFailures;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import io.undertow.util.Headers;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs an API endpoint on the executor it is given (they block on Cassandra or Redis; commands
 * wait for their answer without a thread, see {@link AsyncCommands}),
 * authenticates it when asked, and turns every failure into a JSON error with a code: never a stack
 * trace. The API endpoints share one bounded pool ({@code http.blocking.threads}, queue {@code
 * http.blocking.queue}); when it is full a request is answered 503 {@code unavailable} at once, and
 * what health checks and socket upgrades run on is never that pool, so a flood of slow API
 * requests cannot stop the edge answering {@code /healthz}.
 */
public final class ApiHandler implements HttpHandler {

    /** An endpoint; {@code userId} is null for the public ones. */
    public interface Endpoint {
        void handle(HttpServerExchange exchange, String userId) throws Exception;
    }

    private static final Logger log = LoggerFactory.getLogger(ApiHandler.class);

    /** A storage outage is logged once per interval, not once per request it fails, with the count between. */
    private static final long OUTAGE_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private static final AtomicLong nextOutageLogNanos = new AtomicLong(System.nanoTime());
    private static final AtomicLong outagesUnlogged = new AtomicLong();

    private final Endpoint endpoint;
    private final TokenService tokens;
    private final JsonExchange io;
    private final Executor executor;

    private ApiHandler(Endpoint endpoint, TokenService tokens, JsonExchange io, Executor executor) {
        this.endpoint = endpoint;
        this.tokens = tokens;
        this.io = io;
        this.executor = executor;
    }

    /** The authenticated caller, for endpoints that need more than the user id. */
    public static final AttachmentKey<Principal> PRINCIPAL = AttachmentKey.create(Principal.class);

    /** A public endpoint run on {@code executor}; null runs it on the I/O thread (it must not block). */
    public static ApiHandler open(Endpoint endpoint, JsonExchange io, Executor executor) {
        return new ApiHandler(endpoint, null, io, executor);
    }

    public static ApiHandler authenticated(Endpoint endpoint, TokenService tokens, JsonExchange io, Executor executor) {
        return new ApiHandler(endpoint, tokens, io, executor);
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        if (exchange.isInIoThread() && executor != null) {
            // Undertow hands the task to this executor once the I/O thread's call returns
            exchange.dispatch(task -> dispatch(exchange, task), this);
            return;
        }
        try {
            Principal principal = tokens == null ? null : tokens.authenticate(BearerToken.fromHeader(exchange));
            if (principal != null) {
                exchange.putAttachment(PRINCIPAL, principal);
            }
            String userId = principal == null ? null : principal.userId();
            if (userId != null) {
                // the request's log lines carry its user; endpoints add the command's ids (README, "Logs")
                MDC.put(CommandLogContext.USER_ID, userId);
            }
            endpoint.handle(exchange, userId);
        } catch (Exception e) {
            fail(exchange, io, e);
        } finally {
            MDC.clear(); // this thread serves other requests next
        }
    }

    /**
     * Answers {@code failure} as a coded JSON error: an {@link ApiException} as its code (with
     * Retry-After when it has one), a Cassandra failure a retry may not meet ({@link
     * WriteFailures#isRetriable}: reads fail the same ways) as 503 {@code unavailable} with
     * Retry-After: 1 (one WARN line per 10 s for all of them), anything else as {@code internal}, logged with its stack trace.
     * Also used by {@link AsyncCommands} for answers completed after the endpoint returned.
     */
    static void fail(HttpServerExchange exchange, JsonExchange io, Exception failure) {
        if (failure instanceof ApiException e) {
            if (e.retryAfter() != null) {
                exchange.getResponseHeaders()
                        .put(Headers.RETRY_AFTER, Long.toString(e.retryAfter().toSeconds()));
            }
            io.error(exchange, e.code(), e.getMessage());
        } else if (WriteFailures.isRetriable(failure)) {
            // Cassandra could not answer now (a node down, too few replicas for the quorum, a
            // timeout): the same request may succeed in a moment, so it is not a bug to log as one
            long now = System.nanoTime();
            long next = nextOutageLogNanos.get();
            if (now - next >= 0 && nextOutageLogNanos.compareAndSet(next, now + OUTAGE_LOG_INTERVAL_NANOS)) {
                log.warn(
                        "{} {} unavailable ({} more such answers since the last line): {}",
                        exchange.getRequestMethod(),
                        exchange.getRequestPath(),
                        outagesUnlogged.getAndSet(0),
                        WriteFailures.unwrap(failure).toString());
            } else {
                outagesUnlogged.incrementAndGet();
            }
            exchange.getResponseHeaders().put(Headers.RETRY_AFTER, "1");
            io.error(exchange, ErrorCode.UNAVAILABLE, "storage is unavailable; retry shortly");
        } else {
            log.error("{} {} failed", exchange.getRequestMethod(), exchange.getRequestPath(), failure);
            io.error(exchange, ErrorCode.INTERNAL, "internal error");
        }
    }

    private void dispatch(HttpServerExchange exchange, Runnable task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            io.error(exchange, ErrorCode.UNAVAILABLE, "the edge is busy; retry shortly");
        }
    }
}
