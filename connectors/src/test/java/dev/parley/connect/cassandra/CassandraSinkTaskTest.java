package dev.parley.connect.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.DriverTimeoutException;
import com.datastax.oss.driver.api.core.NoNodeAvailableException;
import com.datastax.oss.driver.api.core.servererrors.InvalidQueryException;
import com.datastax.oss.driver.api.core.servererrors.OverloadedException;
import com.datastax.oss.driver.api.core.servererrors.ReadTimeoutException;
import com.datastax.oss.driver.api.core.servererrors.ServerError;
import com.datastax.oss.driver.api.core.servererrors.SyntaxError;
import com.datastax.oss.driver.api.core.servererrors.UnavailableException;
import com.datastax.oss.driver.api.core.servererrors.WriteFailureException;
import com.datastax.oss.driver.api.core.servererrors.WriteTimeoutException;
import com.datastax.oss.driver.api.core.servererrors.WriteType;
import dev.parley.connect.RecordingContext;
import dev.parley.schema.ConversationEvent;
import dev.parley.schema.ParleySerdes;
import dev.parley.schema.history.EventStore;
import dev.parley.schema.history.WriteFailures;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

/** The task's handling of failed writes, with a store that fails as scripted (no network). */
class CassandraSinkTaskTest {

    private static final String TOPIC = "parley.events.v1";

    private static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);
    private static final long BACKOFF_NANOS = 2_000_000_000L; // retry.backoff.ms's default

    private final ParleySerdes serdes = new ParleySerdes();
    private final ScriptedStore store = new ScriptedStore();
    private long nextOffset;
    private long now; // the task's clock, in nanoseconds

    /**
     * Fails the writes of a conversation with the scripted errors, in order; then succeeds. Holds
     * back each written conversation's last_seq move until the task advances, as EventWriter does.
     */
    static final class ScriptedStore implements EventStore {
        final Map<String, Deque<RuntimeException>> failures = new HashMap<>();
        final Deque<RuntimeException> advanceFailures = new ArrayDeque<>();
        final List<String> written = new ArrayList<>();
        final List<String> held = new ArrayList<>();
        /** The conversations whose last_seq moved, in the order of the moves. */
        final List<String> advanced = new ArrayList<>();

        void fail(String conversation, RuntimeException... errors) {
            failures.computeIfAbsent(conversation, c -> new ArrayDeque<>()).addAll(List.of(errors));
        }

        @Override
        public CompletableFuture<Void> advanceConversations() {
            RuntimeException error = advanceFailures.poll();
            List<String> moves = List.copyOf(held);
            held.clear();
            if (error != null) {
                return CompletableFuture.failedFuture(new CompletionException(error));
            }
            advanced.addAll(moves);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void dropAdvances() {
            held.clear();
        }

        @Override
        public CompletableFuture<Void> write(ConversationEvent event) {
            held.add(event.getConversationId()); // as EventWriter: held whatever the write's outcome
            RuntimeException error = failures.getOrDefault(event.getConversationId(), new ArrayDeque<>())
                    .poll();
            if (error != null) {
                return CompletableFuture.failedFuture(new CompletionException(error));
            }
            written.add(event.getConversationId());
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void close() {}
    }

    private CassandraSinkTask start(RecordingContext context, int maxRetries) {
        CassandraSinkTask task = new CassandraSinkTask(config -> store, () -> now);
        context.assignment.add(PARTITION);
        task.initialize(context);
        task.start(Map.of(CassandraSinkConfig.MAX_RETRIES, Integer.toString(maxRetries)));
        return task;
    }

    private SinkRecord record(String conversation) {
        ConversationEvent e = CassandraSinkIT.created(conversation);
        return new SinkRecord(TOPIC, 0, null, conversation, null, serdes.event().serialize(TOPIC, e), nextOffset++);
    }

    /** What the worker does after a batch came back: polls (nothing while paused) until the backoff is over, then delivers it again. */
    private void redeliver(CassandraSinkTask task, List<SinkRecord> batch) {
        now += BACKOFF_NANOS;
        task.put(List.of());
        task.put(batch);
    }

    private static InvalidQueryException batchTooLarge() {
        return new InvalidQueryException(null, "Batch too large");
    }

    private static WriteTimeoutException writeTimeout() {
        return new WriteTimeoutException(null, DefaultConsistencyLevel.ONE, 0, 1, WriteType.UNLOGGED_BATCH);
    }

    @Test
    void shouldDeadLetterARefusedWriteWithTheServerReasonAndWriteTheRest() {
        RecordingContext context = new RecordingContext();
        CassandraSinkTask task = start(context, 3);
        store.fail("g_big", batchTooLarge());
        task.put(List.of(record("g_big"), record("d_next")));
        assertThat(store.written).containsExactly("d_next");
        assertThat(context.deadLetters).hasSize(1);
        assertThat(context.deadLetters.get(0).record().kafkaOffset()).isZero();
        assertThat(context.deadLetters.get(0).error()).hasMessage("Batch too large");
    }

    @Test
    void shouldRewindAndPauseForTheBackoffOnTransientFailuresThenFailTheTaskAfterMaxRetriesInARow() {
        RecordingContext context = new RecordingContext();
        CassandraSinkTask task = start(context, 2);
        store.fail("d_x", writeTimeout(), writeTimeout(), writeTimeout(), writeTimeout(), writeTimeout());
        List<SinkRecord> batch = List.of(record("d_x"));
        task.put(batch); // comes back: rewound, every partition paused for the backoff
        assertThat(context.rewound).containsEntry(PARTITION, 0L);
        assertThat(context.paused).containsExactly(PARTITION);
        assertThat(task.preCommit(Map.of(PARTITION, new OffsetAndMetadata(1))))
                .as("nothing past the unwritten record is committed")
                .containsEntry(PARTITION, new OffsetAndMetadata(0));
        now += BACKOFF_NANOS / 2;
        task.put(List.of()); // the worker polls on during the backoff
        assertThat(context.paused).containsExactly(PARTITION);
        redeliver(task, batch);
        assertThat(context.timeouts).containsExactly(2_000L, 1_000L, 2_000L);
        assertThat(store.written).isEmpty();
        now += BACKOFF_NANOS;
        task.put(List.of());
        assertThat(context.paused).as("resumed after the backoff").isEmpty();
        assertThatThrownBy(() -> task.put(batch))
                .isInstanceOf(ConnectException.class)
                .hasMessageContaining("after 2 retries (max.retries)");
        assertThat(context.deadLetters)
                .as("history rows are never dropped for a transient error")
                .isEmpty();
    }

    @Test
    void shouldMoveLastSeqOnlyOnceEveryRowOfTheBatchIsWritten() {
        RecordingContext context = new RecordingContext();
        CassandraSinkTask task = start(context, 3);
        store.fail("d_a", writeTimeout());
        List<SinkRecord> batch = List.of(record("d_a"), record("d_b"));
        task.put(batch);
        assertThat(store.written).containsExactly("d_b");
        assertThat(store.advanced)
                .as("no last_seq moves while a row of the batch waits for the redelivery")
                .isEmpty();
        redeliver(task, batch);
        assertThat(store.advanced).containsExactly("d_a", "d_b");
    }

    @Test
    void shouldRedeliverTheBatchWhenItsLastSeqMoveFails() {
        RecordingContext context = new RecordingContext();
        CassandraSinkTask task = start(context, 3);
        store.fail("g_big", batchTooLarge());
        store.advanceFailures.add(writeTimeout());
        List<SinkRecord> batch = List.of(record("g_big"), record("d_b"));
        task.put(batch);
        assertThat(context.rewound).containsEntry(PARTITION, 0L);
        assertThat(context.deadLetters)
                .as("the refused record is reported once its batch got through")
                .isEmpty();
        assertThat(task.preCommit(Map.of(PARTITION, new OffsetAndMetadata(2))))
                .containsEntry(PARTITION, new OffsetAndMetadata(0));
        store.fail("g_big", batchTooLarge());
        redeliver(task, batch);
        assertThat(store.advanced)
                .as("a dead-lettered record's seq is passed too: it will never be written")
                .containsExactly("g_big", "d_b");
        assertThat(context.deadLetters).hasSize(1);
        assertThat(task.preCommit(Map.of(PARTITION, new OffsetAndMetadata(2))))
                .containsEntry(PARTITION, new OffsetAndMetadata(2));
    }

    @Test
    void shouldCountOnlyRetriesInARow() {
        RecordingContext context = new RecordingContext();
        CassandraSinkTask task = start(context, 1);
        for (int round = 0; round < 3; round++) {
            String conv = "d_" + round;
            store.fail(conv, writeTimeout());
            List<SinkRecord> batch = List.of(record(conv));
            task.put(batch);
            redeliver(task, batch); // Cassandra is back: the budget starts afresh
        }
        assertThat(store.written).containsExactly("d_0", "d_1", "d_2");
        assertThat(task.preCommit(Map.of(PARTITION, new OffsetAndMetadata(3))))
                .as("written: committed past")
                .containsEntry(PARTITION, new OffsetAndMetadata(3));
    }

    @Test
    void shouldRedeliverABatchWithATransientFailureBeforeDeadLetteringItsRefusedRecordOnce() {
        RecordingContext context = new RecordingContext();
        CassandraSinkTask task = start(context, 3);
        store.fail("g_big", batchTooLarge(), batchTooLarge());
        store.fail("d_slow", writeTimeout());
        List<SinkRecord> batch = List.of(record("g_big"), record("d_slow"));
        task.put(batch);
        assertThat(context.deadLetters).isEmpty();
        redeliver(task, batch);
        assertThat(context.deadLetters).hasSize(1);
        assertThat(store.written).containsExactly("d_slow");
    }

    @Test
    void shouldDeadLetterAnUndecodableRecordOnceWhenItsBatchIsRedelivered() {
        RecordingContext context = new RecordingContext();
        CassandraSinkTask task = start(context, 5);
        SinkRecord garbage = new SinkRecord(TOPIC, 0, null, "d_x", null, "garbage".getBytes(), nextOffset++);
        store.fail("d_slow", writeTimeout(), new NoNodeAvailableException());
        List<SinkRecord> batch = List.of(garbage, record("d_slow"));
        task.put(batch);
        redeliver(task, batch);
        assertThat(context.deadLetters)
                .as("nothing reported while the batch is not written")
                .isEmpty();

        redeliver(task, batch);
        assertThat(context.deadLetters)
                .extracting(RecordingContext.Report::record)
                .containsExactly(garbage);
        assertThat(store.written).containsExactly("d_slow");
    }

    @Test
    void shouldFailTheTaskOnARefusedWriteWhenNoDeadLetterTopicIsConfigured() {
        RecordingContext context = new RecordingContext();
        context.deadLetterTopic = false;
        CassandraSinkTask task = start(context, 3);
        store.fail("g_big", batchTooLarge());
        assertThatThrownBy(() -> task.put(List.of(record("g_big"))))
                .isInstanceOf(ConnectException.class)
                .hasMessageContaining("no dead-letter topic is configured", "Batch too large");
        assertThat(store.advanced)
                .as("last_seq not moved past a record neither written nor dead-lettered")
                .isEmpty();
    }

    @Test
    void shouldTreatTimeoutsUnavailableOverloadedAndNoConnectionAsTransient() {
        List<RuntimeException> transientErrors = List.of(
                writeTimeout(),
                new ReadTimeoutException(null, DefaultConsistencyLevel.ONE, 0, 1, false),
                new DriverTimeoutException("Query timed out after PT5S"),
                new UnavailableException(null, DefaultConsistencyLevel.ONE, 1, 0),
                new OverloadedException(null),
                new NoNodeAvailableException());
        for (RuntimeException e : transientErrors) {
            assertThat(WriteFailures.isRetriable(new CompletionException(e)))
                    .as(e.getClass().getSimpleName())
                    .isTrue();
        }
        List<RuntimeException> refused = List.of(
                batchTooLarge(),
                new InvalidQueryException(null, "Key length of 70000 is longer than maximum of 65535"),
                new SyntaxError(null, "line 1:0 no viable alternative"),
                new ServerError(null, "java.lang.AssertionError"),
                new WriteFailureException(null, DefaultConsistencyLevel.ONE, 0, 1, WriteType.SIMPLE, 1, Map.of()),
                new IllegalArgumentException("cannot bind"));
        for (RuntimeException e : refused) {
            assertThat(WriteFailures.isRetriable(e))
                    .as(e.getClass().getSimpleName())
                    .isFalse();
        }
    }
}
