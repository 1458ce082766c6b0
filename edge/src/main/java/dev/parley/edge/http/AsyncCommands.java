package dev.parley.edge.http;

import dev.parley.edge.ApiException;
import dev.parley.edge.messaging.PendingReplies;
import dev.parley.schema.CommandRejected;
import dev.parley.schema.Delivery;
import dev.parley.schema.ErrorCode;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.SameThreadExecutor;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.MDC;

/**
 * Completes an HTTP command request from the topology's answer without holding a thread while it
 * waits. An endpoint reads and checks its input on the API pool as before, then hands the command
 * here as its last step: the exchange stays open ({@code dispatch} with nothing to run), the API
 * thread returns to the pool, and the answer, a rejection or the timeout completes the exchange
 * on its I/O thread. So a topology that answers slowly costs sockets and a little memory per
 * request, not the API threads history reads and logins need.
 *
 * <p>Requests waiting here are bounded by {@code http.commands.max.waiting}: one more is answered
 * 503 {@code unavailable} with {@code Retry-After: 1} before anything is produced. No answer within
 * {@code http.send.timeout.ms} is 503 {@code unavailable} saying so: the command may still be
 * applied, and a retry with the same id is safe (dedup gives the original answer).
 */
public final class AsyncCommands {

    /** Writes the success answer; throwing an {@link ApiException} answers that error instead. */
    public interface Responder {
        void respond(Delivery answer) throws Exception;
    }

    private final PendingReplies pending;
    private final JsonExchange io;
    private final Duration timeout;
    private final int maxWaiting;
    private final AtomicInteger waiting = new AtomicInteger();

    public AsyncCommands(PendingReplies pending, JsonExchange io, Duration timeout, int maxWaiting) {
        this.pending = pending;
        this.io = io;
        this.timeout = timeout;
        this.maxWaiting = maxWaiting;
    }

    /** Requests waiting for their answer now (the gauge {@code parley_edge_http_commands_waiting}). */
    public int waiting() {
        return waiting.get();
    }

    /**
     * Publishes a command through {@code submit} (given the request id the answer is addressed to,
     * it returns the publish future, as {@code CommandGateway.submit} does) and answers {@code
     * exchange} once the topology did. Call it last in an endpoint running on the API pool.
     *
     * @throws ApiException when the command is refused before it is produced (over the waiting
     *     bound, rate limited, too large): the endpoint's caller answers it as usual
     */
    public void answer(
            HttpServerExchange exchange, Function<String, CompletableFuture<Void>> submit, Responder responder) {
        if (waiting.incrementAndGet() > maxWaiting) {
            waiting.decrementAndGet();
            throw new ApiException(
                    ErrorCode.UNAVAILABLE,
                    "too many HTTP commands are waiting for an answer on this edge; retry shortly",
                    Duration.ofSeconds(1));
        }
        // the log ids of the request (README, "Logs"), for the lines logged when it is answered
        Map<String, String> logIds = MDC.getCopyOfContextMap();
        PendingReplies.Pending wait = pending.register(timeout);
        CompletableFuture<Void> published;
        try {
            published = submit.apply(wait.requestId());
        } catch (RuntimeException e) {
            wait.answer().cancel(false); // refused before producing: nothing will answer
            waiting.decrementAndGet();
            throw e;
        }
        // a failed publish (Kafka unreachable) ends the wait at once; otherwise the one deadline,
        // counted from registration, covers the publish and the answer together
        published.whenComplete((ok, error) -> {
            if (error != null) {
                wait.answer().completeExceptionally(error);
            }
        });
        // runs once this call stack has returned to Undertow, so the answer can never race the
        // handler that is still returning on this thread
        exchange.dispatch(
                SameThreadExecutor.INSTANCE, () -> wait.answer().whenComplete((answer, error) -> exchange.getIoThread()
                        .execute(() -> complete(exchange, answer, error, responder, logIds))));
    }

    private void complete(
            HttpServerExchange exchange,
            Delivery answer,
            Throwable error,
            Responder responder,
            Map<String, String> logIds) {
        waiting.decrementAndGet();
        if (logIds != null) {
            MDC.setContextMap(logIds);
        }
        try {
            if (error != null) {
                throw new ApiException(
                        ErrorCode.UNAVAILABLE,
                        "no answer within " + timeout.toMillis() + " ms; retry with the same id");
            }
            if (answer.getPayload() instanceof CommandRejected rejected) {
                throw new ApiException(ErrorCode.fromWire(rejected.getCode()), rejected.getMessage());
            }
            responder.respond(answer);
        } catch (Exception e) {
            ApiHandler.fail(exchange, io, e);
        } finally {
            MDC.clear(); // an I/O thread serves many exchanges
        }
    }
}
