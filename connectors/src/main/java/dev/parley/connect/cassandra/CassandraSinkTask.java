package dev.parley.connect.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DriverException;
import dev.parley.connect.SinkRecordDecoder;
import dev.parley.connect.SinkRedelivery;
import dev.parley.schema.CassandraSessions;
import dev.parley.schema.ConversationEvent;
import dev.parley.schema.ParleySerdes;
import dev.parley.schema.SchemaVersionCheck;
import dev.parley.schema.history.EventStore;
import dev.parley.schema.history.EventWriter;
import dev.parley.schema.history.WriteFailures;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
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
 * Writes each batch with bounded concurrency and returns only when every record was written or
 * dead-lettered, so the worker never commits an offset past a record that is in neither place.
 * Each failed record is sorted by {@link WriteFailures}:
 *
 * <ul>
 *   <li>transient (timeout, unavailable, overloaded, no connection): the batch comes again after
 *       {@code retry.backoff.ms} ({@link SinkRedelivery}: rewound and paused, one WARN line, not
 *       the worker's ERROR line of a {@code RetriableException}; idempotent upserts make the
 *       rewrite harmless); after {@code max.retries} failed batches in a row the task fails,
 *       loudly, rather than dead-letter rows that history and membership checks rely on;
 *   <li>refused by the server (invalid, too large): the record goes to the errant record reporter
 *       (the dead-letter topic of {@code errors.deadletterqueue.topic.name}) with the server's
 *       reason, and the partition moves on. Without a reporter the task fails instead.
 * </ul>
 *
 * A record that does not decode goes to the errant record reporter too. A conversation's {@code
 * last_seq} moves only after the batch's rows are written ({@link EventStore#advanceConversations}),
 * so it never points past a row a redelivery has still to write.
 */
public final class CassandraSinkTask extends SinkTask {

    private static final Logger log = LoggerFactory.getLogger(CassandraSinkTask.class);

    private final Function<CassandraSinkConfig, EventStore> open;
    private EventStore writer;
    private SinkRecordDecoder<ConversationEvent> decoder;
    private final LongSupplier nanoTime;
    private SinkRedelivery redelivery;
    private ErrantRecordReporter reporter;

    public CassandraSinkTask() {
        this(CassandraSinkTask::open, System::nanoTime);
    }

    /**
     * {@code open}: the store for a configuration (tests inject one failing on demand); {@code
     * nanoTime}: the clock the backoff runs on.
     */
    CassandraSinkTask(Function<CassandraSinkConfig, EventStore> open, LongSupplier nanoTime) {
        this.open = open;
        this.nanoTime = nanoTime;
    }

    @Override
    public void start(Map<String, String> props) {
        CassandraSinkConfig config = new CassandraSinkConfig(props);
        redelivery = new SinkRedelivery(
                context,
                "Cassandra",
                CassandraSinkConfig.MAX_RETRIES,
                config.getLong(CassandraSinkConfig.RETRY_BACKOFF_MS),
                config.getInt(CassandraSinkConfig.MAX_RETRIES),
                nanoTime);
        reporter = context == null ? null : errantRecordReporter();
        decoder = new SinkRecordDecoder<>(new ParleySerdes().event(), reporter);
        writer = open.apply(config);
    }

    private static EventStore open(CassandraSinkConfig config) {
        CqlSession session = null;
        try {
            session = connect(config);
            return new EventWriter(
                    session,
                    config.getString(CassandraSinkConfig.KEYSPACE),
                    config.getInt(CassandraSinkConfig.MAX_IN_FLIGHT),
                    config.getInt(CassandraSinkConfig.BATCH_MAX_BYTES));
        } catch (SchemaVersionCheck.SchemaVersionMismatch e) {
            session.close();
            throw new ConnectException(e.getMessage());
        } catch (DriverException e) {
            if (session != null) {
                session.close();
            }
            throw new ConnectException(
                    "cannot reach Cassandra at " + config.getList(CassandraSinkConfig.CONTACT_POINTS) + ": "
                            + e.getMessage(),
                    e);
        }
    }

    private ErrantRecordReporter errantRecordReporter() {
        try {
            return context.errantRecordReporter();
        } catch (NoSuchMethodError | NoClassDefFoundError e) {
            return null; // a worker older than 2.6
        }
    }

    static CqlSession connect(CassandraSinkConfig config) {
        return CassandraSessions.open(
                config.getList(CassandraSinkConfig.CONTACT_POINTS),
                config.getString(CassandraSinkConfig.DATACENTER),
                null,
                Duration.ofMillis(config.getLong(CassandraSinkConfig.REQUEST_TIMEOUT_MS)));
    }

    @Override
    public void put(Collection<SinkRecord> records) {
        if (!redelivery.ready(records)) {
            return;
        }
        decoder.forgetUndecodable();
        List<Write> writes = new ArrayList<>(records.size());
        for (SinkRecord record : records) {
            ConversationEvent event = decoder.decode(record);
            if (event == null) {
                continue;
            }
            CompletableFuture<Void> write;
            try {
                write = writer.write(event);
            } catch (RuntimeException e) { // a value the statements cannot bind
                write = CompletableFuture.failedFuture(e);
            }
            writes.add(new Write(record, write));
        }
        Throwable transientFailure = null;
        List<Write> refused = new ArrayList<>();
        for (Write w : writes) {
            Throwable error = w.error();
            if (error == null) {
                continue;
            }
            if (WriteFailures.isRetriable(error)) {
                transientFailure = transientFailure == null ? error : transientFailure;
            } else {
                refused.add(w);
            }
        }
        if (transientFailure == null && reporter == null && !refused.isEmpty()) {
            // the task fails on a refusal it cannot dead-letter: before last_seq could move past it
            deadLetter(refused.get(0).record, refused.get(0).error());
        }
        if (transientFailure == null) {
            // last_seq moves only now that every row of the batch is written or refused
            Throwable error = writer.advanceConversations().handle((ok, t) -> t).join();
            transientFailure = error == null ? null : WriteFailures.unwrap(error);
        } else {
            writer.dropAdvances();
        }
        if (transientFailure != null) {
            // refused and undecodable records are reported only once the whole batch got through,
            // so a redelivery cannot dead-letter them twice; a failed last_seq move is retried with
            // the batch, whatever its cause: it is one small update, never refused for its content
            redelivery.later(records, transientFailure.toString(), transientFailure);
            return;
        }
        decoder.reportUndecodable();
        for (Write w : refused) {
            deadLetter(w.record, w.error());
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

    private void deadLetter(SinkRecord record, Throwable reason) {
        String where = record.topic() + "-" + record.kafkaPartition() + "@" + record.kafkaOffset();
        if (reporter == null) {
            throw new ConnectException(
                    "Cassandra refused the write of " + where + " and no dead-letter topic is configured: " + reason,
                    reason);
        }
        log.warn("Cassandra refused the write of {}, sent to the dead-letter topic: {}", where, reason.toString());
        reporter.report(record, reason);
    }

    /** One record's write; {@link #error} waits for it. */
    private record Write(SinkRecord record, CompletableFuture<Void> future) {
        Throwable error() {
            Throwable e = future.handle((ok, t) -> t).join();
            return e == null ? null : WriteFailures.unwrap(e);
        }
    }

    @Override
    public void stop() {
        if (writer != null) {
            writer.close();
        }
    }

    @Override
    public String version() {
        return "0.1.0";
    }
}
