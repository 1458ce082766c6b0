package dev.parley.connect.push;

import dev.parley.schema.PushRequest;
import java.util.concurrent.CompletableFuture;

/**
 * One provider's wire protocol. {@link #send} must not block the caller: the task calls it for
 * every platform from one thread, and a slow provider must never hold up the others. A failure the
 * provider reports is an outcome, never an exceptionally completed future; an exception means a
 * bug or a network failure and is retried.
 */
interface PushSender extends AutoCloseable {

    CompletableFuture<PushOutcome> send(PushRequest push);

    @Override
    void close();
}
