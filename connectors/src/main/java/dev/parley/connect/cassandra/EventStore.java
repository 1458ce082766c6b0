package dev.parley.connect.cassandra;

import dev.parley.schema.ConversationEvent;
import java.util.concurrent.CompletableFuture;

/** Where {@link CassandraSinkTask} writes events: the history tables, or a stand-in in tests. */
interface EventStore extends AutoCloseable {

    /**
     * All rows of one event; completes exceptionally with a transient failure if any row had one,
     * else with the first refusal. Called from the task thread only.
     */
    CompletableFuture<Void> write(ConversationEvent event);

    @Override
    void close();
}
