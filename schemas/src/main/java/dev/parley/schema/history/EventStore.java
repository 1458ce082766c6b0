package dev.parley.schema.history;

import dev.parley.schema.ConversationEvent;
import java.util.concurrent.CompletableFuture;

/** Where the Cassandra sink task writes events: the history tables, or a stand-in in tests. */
public interface EventStore extends AutoCloseable {

    /**
     * All rows of one event; completes exceptionally with a transient failure if any row had one,
     * else with the first refusal. Called from the task thread only.
     */
    CompletableFuture<Void> write(ConversationEvent event);

    @Override
    void close();
}
