package dev.parley.edge.messaging;

import dev.parley.schema.Delivery;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * HTTP requests waiting for the topology's answer (ack or rejection), by the request id sent as
 * the command's origin connection id. A request that times out is forgotten; a late answer is
 * dropped (the client can retry with the same id and gets the original seq).
 */
public final class PendingReplies {

    private static final String PREFIX = "http-";

    private final Map<String, CompletableFuture<Delivery>> waiting = new ConcurrentHashMap<>();

    public static boolean isHttpRequest(String connectionId) {
        return connectionId != null && connectionId.startsWith(PREFIX);
    }

    /** A fresh request id and the future its answer completes. */
    public Pending register(Duration timeout) {
        String id = PREFIX + UUID.randomUUID();
        CompletableFuture<Delivery> future =
                new CompletableFuture<Delivery>().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
        waiting.put(id, future);
        future.whenComplete((d, e) -> waiting.remove(id));
        return new Pending(id, future);
    }

    /** Completes the waiting request; false if nobody waits any more. */
    public boolean complete(String requestId, Delivery delivery) {
        CompletableFuture<Delivery> future = waiting.remove(requestId);
        return future != null && future.complete(delivery);
    }

    public record Pending(String requestId, CompletableFuture<Delivery> answer) {}
}
