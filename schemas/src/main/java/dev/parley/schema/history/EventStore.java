package dev.parley.schema.history;

import dev.parley.schema.ConversationEvent;
import java.util.concurrent.CompletableFuture;

/** Where the Cassandra sink task writes events: the history tables, or a stand-in in tests. */
public interface EventStore extends AutoCloseable {

    /**
     * All rows of one event except a message's move of its conversation's {@code last_seq}, which
     * is held back for {@link #advanceConversations}; completes exceptionally with a transient
     * failure if any row had one, else with the first refusal. Called from the task thread only.
     */
    CompletableFuture<Void> write(ConversationEvent event);

    /**
     * Moves {@code last_seq} (and {@code last_activity}) of each conversation written since the last
     * call or {@link #dropAdvances} to its highest seq, one statement per conversation. Call it once
     * every write since then completed without a transient failure (written or refused), so {@code
     * last_seq} never points past a row a redelivery has still to write.
     */
    CompletableFuture<Void> advanceConversations();

    /** Forgets the held-back moves of writes that failed and will be written again. */
    void dropAdvances();

    @Override
    void close();
}
