package dev.parley.connect;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTaskContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A sink's batch that its store could not take for now (a timeout, the store down) comes again
 * after a backoff, and after {@code max.retries} failed batches in a row the task fails.
 *
 * <p>Why not the worker's own redelivery (throwing {@code RetriableException} from {@code put}):
 * the worker logs each one at ERROR with its stack trace, one a backoff for the whole of an
 * outage, and an outage the sink rides out is not an error. So a failed batch is handed back
 * instead: each of its partitions is rewound to its first record of the batch ({@link
 * SinkTaskContext#offset}), every assigned partition is paused until the backoff is over (the
 * worker keeps polling, so group membership holds, and {@code put} is called with no records),
 * and the worker may commit a rewound partition only up to its first unwritten record ({@link
 * #committable}), so a crash or a rebalance during the backoff re-reads the batch, never skips
 * it. The stores' writes are idempotent (upserts, documents by id), so writing a batch again is
 * harmless. One WARN line per failed batch says what failed and how many retries are left.
 */
public final class SinkRedelivery {

    private static final Logger log = LoggerFactory.getLogger(SinkRedelivery.class);

    private final SinkTaskContext context;
    private final String store;
    private final String maxRetriesSetting;
    private final long backoffMillis;
    private final int maxRetries;
    private final LongSupplier nanoTime;
    private final PendingOffsets unwritten = new PendingOffsets();
    private int retries;
    private long resumeAt; // nanoTime; meaningful while backingOff
    private boolean backingOff;

    /**
     * {@code store} names the store in the log and the task's failure ("Cassandra"); {@code
     * maxRetriesSetting} is the setting a failure names; {@code nanoTime} is {@link System#nanoTime}
     * but in tests.
     */
    public SinkRedelivery(
            SinkTaskContext context,
            String store,
            String maxRetriesSetting,
            long backoffMillis,
            int maxRetries,
            LongSupplier nanoTime) {
        this.context = context;
        this.store = store;
        this.maxRetriesSetting = maxRetriesSetting;
        this.backoffMillis = backoffMillis;
        this.maxRetries = maxRetries;
        this.nanoTime = nanoTime;
    }

    /**
     * Called first in {@code put}: false while the backoff of a failed batch lasts, and then the
     * task writes nothing; records that came anyway (a partition assigned since, not paused yet)
     * are rewound with the rest. True once it is over: the partitions resume, and the rewound
     * records come with the next polls.
     */
    public boolean ready(Collection<SinkRecord> records) {
        if (!backingOff) {
            return true;
        }
        long remainingMillis = TimeUnit.NANOSECONDS.toMillis(resumeAt - nanoTime.getAsLong());
        if (remainingMillis > 0) {
            rewind(records);
            pauseAssigned();
            context.timeout(remainingMillis);
            return false;
        }
        backingOff = false;
        context.resume(context.assignment().toArray(TopicPartition[]::new));
        return true;
    }

    /**
     * The batch failed for now: rewinds it and backs off, or, past {@code max.retries} failed
     * batches in a row, fails the task (a {@link ConnectException}), with nothing past the
     * unwritten records committed.
     */
    public void later(Collection<SinkRecord> records, String failure, Throwable cause) {
        if (++retries > maxRetries) {
            throw new ConnectException(
                    store + " writes still failing after " + maxRetries + " retries (" + maxRetriesSetting
                            + "); nothing past the unwritten records is committed: restart the task once " + store
                            + " is back. Last error: " + failure,
                    cause);
        }
        log.warn(
                "{} write failed ({} of {} retries), batch of {} comes again in {} ms: {}",
                store,
                retries,
                maxRetries,
                records.size(),
                backoffMillis,
                failure);
        rewind(records);
        pauseAssigned();
        backingOff = true;
        resumeAt = nanoTime.getAsLong() + TimeUnit.MILLISECONDS.toNanos(backoffMillis);
        context.timeout(backoffMillis);
    }

    /** Every record of the batch is written or dead-lettered: its partitions may be committed past it. */
    public void written(Collection<SinkRecord> records) {
        if (records.isEmpty()) {
            return; // a poll with nothing in it proves nothing about the store
        }
        retries = 0;
        unwritten.forget(partitionsOf(records));
    }

    /** {@code consumed} capped at each rewound partition's first unwritten record: the task's {@code preCommit}. */
    public Map<TopicPartition, OffsetAndMetadata> committable(Map<TopicPartition, OffsetAndMetadata> consumed) {
        return unwritten.committable(consumed);
    }

    /** Revoked partitions: the new owner reads them from the committed offset, the first unwritten record. */
    public void closed(Collection<TopicPartition> partitions) {
        unwritten.forget(partitions);
    }

    private void rewind(Collection<SinkRecord> records) {
        if (records.isEmpty()) {
            return;
        }
        Map<TopicPartition, Long> first = new HashMap<>();
        for (SinkRecord r : records) {
            first.merge(new TopicPartition(r.topic(), r.kafkaPartition()), r.kafkaOffset(), Math::min);
        }
        first.forEach(unwritten::add);
        // one seek per partition, to its oldest unwritten record (an earlier failure's may be older)
        Map<TopicPartition, Long> seek = new HashMap<>();
        unwritten
                .committable(first.keySet().stream()
                        .collect(Collectors.toMap(p -> p, p -> new OffsetAndMetadata(Long.MAX_VALUE))))
                .forEach((p, o) -> seek.put(p, o.offset()));
        context.offset(seek);
    }

    private void pauseAssigned() {
        context.pause(context.assignment().toArray(TopicPartition[]::new));
    }

    private static Set<TopicPartition> partitionsOf(Collection<SinkRecord> records) {
        return records.stream()
                .map(r -> new TopicPartition(r.topic(), r.kafkaPartition()))
                .collect(Collectors.toSet());
    }
}
