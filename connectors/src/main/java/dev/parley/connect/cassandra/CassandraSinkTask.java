package dev.parley.connect.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DriverException;
import dev.parley.connect.SinkRecordDecoder;
import dev.parley.schema.ConversationEvent;
import dev.parley.schema.ParleySerdes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes each batch with bounded concurrency and returns only when every write succeeded, so the
 * worker never commits an offset past an unwritten record. Cassandra unavailable or slow: {@link
 * RetriableException} after a backoff, and Connect redelivers the batch (idempotent upserts make
 * the rewrite harmless). A record that does not decode goes to the errant record reporter (the
 * dead-letter topic configured with {@code errors.deadletterqueue.topic.name}).
 */
public final class CassandraSinkTask extends SinkTask {

    private static final Logger log = LoggerFactory.getLogger(CassandraSinkTask.class);

    private CqlSession session;
    private EventWriter writer;
    private SinkRecordDecoder<ConversationEvent> decoder;
    private Semaphore inFlight;
    private long backoffMillis;
    private ErrantRecordReporter reporter;

    @Override
    public void start(Map<String, String> props) {
        CassandraSinkConfig config = new CassandraSinkConfig(props);
        inFlight = new Semaphore(config.getInt(CassandraSinkConfig.MAX_IN_FLIGHT));
        backoffMillis = config.getLong(CassandraSinkConfig.RETRY_BACKOFF_MS);
        reporter = context == null ? null : errantRecordReporter();
        decoder = new SinkRecordDecoder<>(new ParleySerdes().event(), reporter);
        try {
            session = connect(config);
            writer = new EventWriter(
                    session,
                    config.getString(CassandraSinkConfig.KEYSPACE),
                    config.getString(CassandraSinkConfig.REPLICATION));
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
        List<CompletableFuture<?>> writes = new ArrayList<>(records.size());
        for (SinkRecord record : records) {
            ConversationEvent event = decoder.decode(record);
            if (event == null) {
                continue;
            }
            inFlight.acquireUninterruptibly();
            writes.add(writer.write(event).toCompletableFuture().whenComplete((r, e) -> inFlight.release()));
        }
        try {
            CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof DriverException driver) {
                log.warn(
                        "Cassandra write failed, batch of {} will be redelivered: {}",
                        records.size(),
                        driver.toString());
                context.timeout(backoffMillis);
                throw new RetriableException("Cassandra unavailable: " + driver.getMessage(), driver);
            }
            throw new ConnectException("unexpected write failure", e.getCause());
        }
    }

    @Override
    public void stop() {
        if (session != null) {
            session.close();
        }
    }

    @Override
    public String version() {
        return "0.1.0";
    }
}
