package dev.parley.connect.search;

import dev.parley.connect.SinkRecordDecoder;
import dev.parley.connect.SinkRedelivery;
import dev.parley.schema.ConversationEvent;
import dev.parley.schema.ParleySerdes;
import dev.parley.schema.search.DocumentAction;
import dev.parley.schema.search.SearchDocuments;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Indexes each batch with bulk requests ({@code opensearch.bulk.concurrency} of them in parallel,
 * split by document id) and returns only when every message of it was indexed or dead-lettered,
 * so the worker never commits an offset past a message that is in neither place.
 * Inputs: parley.events.v1 (key conversation id, Avro value); only {@code MessagePosted} changes
 * the index (see {@link SearchDocuments}). Each bulk item is sorted by its status:
 *
 * <ul>
 *   <li>no answer (connection refused, timeout) or 429/5xx, for the whole request or one item:
 *       the batch comes again after {@code retry.backoff.ms} ({@link SinkRedelivery}: rewound and
 *       paused, one WARN line; ids {@code conversation_id:seq} make the rewrite an overwrite);
 *       after {@code max.retries} failed batches in a row the task fails, loudly;
 *   <li>refused by the server (a 400 mapping error, a document too large): the record goes to the
 *       errant record reporter (the dead-letter topic) with the server's reason, and the partition
 *       moves on. Without a reporter the task fails instead.
 * </ul>
 *
 * A record that does not decode goes to the errant record reporter too. The index and its alias
 * are created at task start if missing. Documents past their {@code expires_at} are deleted by
 * {@link ExpiredDocumentPurge} on a thread of its own (first task only).
 */
public final class OpenSearchSinkTask extends SinkTask {

    private static final Logger log = LoggerFactory.getLogger(OpenSearchSinkTask.class);

    private final Function<OpenSearchSinkConfig, DocumentStore> open;
    private DocumentStore store;
    private SinkRecordDecoder<ConversationEvent> decoder;
    private final LongSupplier nanoTime;
    private long backoffMillis;
    private SinkRedelivery redelivery;
    private ErrantRecordReporter reporter;
    private ExpiredDocumentPurge purge;

    public OpenSearchSinkTask() {
        this(OpenSearchSinkTask::open, System::nanoTime);
    }

    /**
     * {@code open}: the store for a configuration (tests inject one failing on demand); {@code
     * nanoTime}: the clock the backoff runs on.
     */
    OpenSearchSinkTask(Function<OpenSearchSinkConfig, DocumentStore> open, LongSupplier nanoTime) {
        this.open = open;
        this.nanoTime = nanoTime;
    }

    private static DocumentStore open(OpenSearchSinkConfig config) {
        return new OpenSearchDocumentStore(
                config.getList(OpenSearchSinkConfig.URLS),
                Duration.ofMillis(config.getLong(OpenSearchSinkConfig.REQUEST_TIMEOUT_MS)),
                config.getString(OpenSearchSinkConfig.INDEX),
                config.getInt(OpenSearchSinkConfig.SHARDS),
                config.getInt(OpenSearchSinkConfig.REPLICAS),
                config.getInt(OpenSearchSinkConfig.BULK_MAX_ACTIONS),
                config.getInt(OpenSearchSinkConfig.BULK_MAX_BYTES),
                config.getInt(OpenSearchSinkConfig.BULK_CONCURRENCY));
    }

    @Override
    public void start(Map<String, String> props) {
        OpenSearchSinkConfig config = new OpenSearchSinkConfig(props);
        backoffMillis = config.getLong(OpenSearchSinkConfig.RETRY_BACKOFF_MS);
        redelivery = new SinkRedelivery(
                context,
                "OpenSearch",
                OpenSearchSinkConfig.MAX_RETRIES,
                backoffMillis,
                config.getInt(OpenSearchSinkConfig.MAX_RETRIES),
                nanoTime);
        reporter = context == null ? null : errantRecordReporter();
        decoder = new SinkRecordDecoder<>(new ParleySerdes().event(), reporter);
        store = open.apply(config);
        indexReady = false;
        ensureIndex();
        long purgeEvery = config.getLong(OpenSearchSinkConfig.PURGE_INTERVAL_MS);
        if (purgeEvery > 0) {
            purge = new ExpiredDocumentPurge(
                    store,
                    java.time.Clock.systemUTC(),
                    purgeEvery,
                    backoffMillis,
                    config.getInt(OpenSearchSinkConfig.PURGE_MAX_DOCS));
            purge.start();
        }
    }

    private boolean indexReady;

    /** At start, and again before a write if OpenSearch was down then: the task starts anyway. */
    private void ensureIndex() {
        try {
            store.ensureIndex();
            indexReady = true;
        } catch (IOException | RuntimeException e) {
            log.warn("cannot create the search index yet (retried before the next write): {}", e.toString());
        }
    }

    private ErrantRecordReporter errantRecordReporter() {
        try {
            return context.errantRecordReporter();
        } catch (NoSuchMethodError | NoClassDefFoundError e) {
            return null; // a worker older than 2.6
        }
    }

    @Override
    public void put(Collection<SinkRecord> records) {
        if (!redelivery.ready(records)) {
            return;
        }
        decoder.forgetUndecodable();
        List<SinkRecord> indexed = new ArrayList<>(records.size());
        List<DocumentAction> actions = new ArrayList<>(records.size());
        for (SinkRecord record : records) {
            ConversationEvent event = decoder.decode(record);
            if (event == null) {
                continue;
            }
            DocumentAction action = SearchDocuments.actionFor(event);
            if (action != null) {
                indexed.add(record);
                actions.add(action);
            }
        }
        if (actions.isEmpty()) {
            decoder.reportUndecodable();
            redelivery.written(records);
            return;
        }
        if (!indexReady) {
            ensureIndex();
            if (!indexReady) {
                redelivery.later(records, "the search index cannot be created yet", null);
                return;
            }
        }
        List<DocumentStore.Result> results;
        try {
            results = store.write(actions);
        } catch (IOException e) {
            redelivery.later(records, e.toString(), e);
            return;
        }
        List<Integer> refused = new ArrayList<>();
        String transientFailure = null;
        for (int i = 0; i < results.size(); i++) {
            DocumentStore.Result r = results.get(i);
            if (r.outcome() == DocumentStore.Outcome.RETRY) {
                transientFailure = transientFailure == null ? r.reason() : transientFailure;
            } else if (r.outcome() == DocumentStore.Outcome.REFUSED) {
                refused.add(i);
            }
        }
        if (transientFailure != null) {
            // refused records are reported only once the whole batch got through, so a redelivery
            // cannot dead-letter them twice
            redelivery.later(records, transientFailure, null);
            return;
        }
        decoder.reportUndecodable();
        for (int i : refused) {
            deadLetter(indexed.get(i), results.get(i).reason());
        }
        redelivery.written(records);
    }

    @Override
    public Map<TopicPartition, OffsetAndMetadata> preCommit(Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
        return redelivery.committable(currentOffsets);
    }

    @Override
    public void close(Collection<TopicPartition> partitions) {
        redelivery.closed(partitions);
    }

    private void deadLetter(SinkRecord record, String reason) {
        String where = record.topic() + "-" + record.kafkaPartition() + "@" + record.kafkaOffset();
        if (reporter == null) {
            throw new ConnectException(
                    "OpenSearch refused " + where + " and no dead-letter topic is configured: " + reason);
        }
        log.warn("OpenSearch refused {}, sent to the dead-letter topic: {}", where, reason);
        reporter.report(record, new RefusedDocumentException(reason));
    }

    /** The server's reason for refusing a document, as the dead-letter record's exception header. */
    static final class RefusedDocumentException extends RuntimeException {
        RefusedDocumentException(String reason) {
            super(reason);
        }
    }

    @Override
    public void stop() {
        if (purge != null) {
            purge.close();
        }
        if (store != null) {
            store.close();
        }
    }

    @Override
    public String version() {
        return "0.1.0";
    }
}
