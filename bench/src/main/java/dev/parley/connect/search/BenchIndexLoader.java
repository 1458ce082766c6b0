package dev.parley.connect.search;

import dev.parley.schema.ConversationEvent;
import dev.parley.schema.search.DocumentAction;
import dev.parley.schema.search.SearchDocuments;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Fills the sink's index without Kafka, for query benchmarks over millions of messages: the
 * documents come from {@link SearchDocuments} and go through the sink's own {@link
 * OpenSearchDocumentStore} (the same index, alias, mapping and bulk code), only in larger requests.
 * It sits in the sink's package because the store is not public API.
 */
public final class BenchIndexLoader implements AutoCloseable {

    private final OpenSearchDocumentStore store;

    public BenchIndexLoader(String url, String alias, int bulkActions, int concurrency) throws IOException {
        this.store = new OpenSearchDocumentStore(
                List.of(url), Duration.ofSeconds(120), alias, 1, 0, bulkActions, 100 * 1024 * 1024 - 1, concurrency);
        store.ensureIndex();
    }

    /** Indexes the events' documents; fails on any document not indexed. */
    public void index(List<ConversationEvent> events) throws IOException {
        List<DocumentAction> actions = new ArrayList<>(events.size());
        for (ConversationEvent e : events) {
            DocumentAction a = SearchDocuments.actionFor(e);
            if (a != null) {
                actions.add(a);
            }
        }
        List<DocumentStore.Result> results = store.write(actions);
        for (DocumentStore.Result r : results) {
            if (r.outcome() != DocumentStore.Outcome.DONE) {
                throw new IOException("not indexed: " + r.reason());
            }
        }
    }

    @Override
    public void close() {
        store.close();
    }
}
