package dev.parley.connect.search;

import dev.parley.schema.search.DocumentAction;
import java.io.IOException;
import java.util.List;

/** Where documents go: OpenSearch in production, a fake in unit tests of the task. */
interface DocumentStore extends AutoCloseable {

    /** What became of one action of a bulk request. */
    enum Outcome {
        DONE,
        /** worth the same request again later: 429, 502-504, a shard not ready */
        RETRY,
        /** the server refused it (a mapping error, a bad value): no retry will change that */
        REFUSED
    }

    record Result(Outcome outcome, String reason) {
        static final Result DONE = new Result(Outcome.DONE, null);
    }

    /** Creates the index and its alias if they do not exist; safe to call from every task at once. */
    void ensureIndex() throws IOException;

    /**
     * Sends the actions (split into bulk requests within the configured bounds) and returns one
     * result per action, in order.
     *
     * @throws IOException when a request got no answer (no connection, timeout) or the whole
     *     request was refused as overloaded or unavailable: retry it all later
     */
    List<Result> write(List<DocumentAction> actions) throws IOException;

    /**
     * Deletes at most {@code maxDocs} documents whose {@code expires_at} is before {@code nowMillis};
     * returns how many it deleted (0 while the index does not exist yet).
     *
     * @throws IOException no answer, or 429/5xx: try again later
     */
    long deleteExpired(long nowMillis, int maxDocs) throws IOException;

    @Override
    void close();
}
