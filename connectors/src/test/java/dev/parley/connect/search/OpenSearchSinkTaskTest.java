package dev.parley.connect.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.connect.RecordingContext;
import dev.parley.schema.ConversationEvent;
import dev.parley.schema.ParleySerdes;
import dev.parley.schema.search.DocumentAction;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

/** The task's sorting of bulk outcomes, with a store answering as scripted (no network). */
class OpenSearchSinkTaskTest {

    private static final String TOPIC = "parley.events.v1";

    private final ParleySerdes serdes = new ParleySerdes();
    private final ScriptedStore store = new ScriptedStore();
    private long nextOffset;
    private long now; // the task's clock, in nanoseconds
    private static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);
    private static final long BACKOFF_NANOS = 1_000_000_000L; // retry.backoff.ms's default

    /** Answers each write with the next scripted outcome for every action (or an IOException); then DONE. */
    static final class ScriptedStore implements DocumentStore {
        final Deque<Object> script = new ArrayDeque<>();
        final List<String> written = new ArrayList<>();

        @Override
        public void ensureIndex() {}

        @Override
        public List<Result> write(List<DocumentAction> actions) throws IOException {
            Object next = script.poll();
            if (next instanceof IOException e) {
                throw e;
            }
            List<Result> out = new ArrayList<>();
            for (DocumentAction a : actions) {
                Result r = next instanceof Result scripted && a.id().startsWith("d_bad") ? scripted : Result.DONE;
                if (next instanceof Result scripted && scripted.outcome() == Outcome.RETRY) {
                    r = scripted;
                }
                if (r.outcome() == Outcome.DONE) {
                    written.add(a.id());
                }
                out.add(r);
            }
            return out;
        }

        final Deque<Object> purges = new ArrayDeque<>();

        @Override
        public long deleteExpired(long nowMillis, int maxDocs) throws IOException {
            Object next = purges.poll();
            if (next instanceof IOException e) {
                throw e;
            }
            return next == null ? 0 : (Long) next;
        }

        @Override
        public void close() {}
    }

    private OpenSearchSinkTask start(RecordingContext context, int maxRetries) {
        OpenSearchSinkTask task = new OpenSearchSinkTask(config -> store, () -> now);
        context.assignment.add(PARTITION);
        task.initialize(context);
        task.start(Map.of(OpenSearchSinkConfig.MAX_RETRIES, Integer.toString(maxRetries)));
        return task;
    }

    private SinkRecord message(String conversation, long seq) {
        ConversationEvent e = OpenSearchSinkIT.message(conversation, seq, "alice");
        return new SinkRecord(TOPIC, 0, null, conversation, null, serdes.event().serialize(TOPIC, e), nextOffset++);
    }

    /** What the worker does after a batch came back: polls (nothing while paused) until the backoff is over, then delivers it again. */
    private void redeliver(OpenSearchSinkTask task, List<SinkRecord> batch) {
        now += BACKOFF_NANOS;
        task.put(List.of());
        task.put(batch);
    }

    @Test
    void shouldRedeliverTheBatchWhenOpenSearchIsUnreachableAndFailAfterMaxRetries() {
        RecordingContext context = new RecordingContext();
        OpenSearchSinkTask task = start(context, 2);
        List<SinkRecord> batch = List.of(message("d_a", 1), message("d_a", 2));
        store.script.add(new java.net.ConnectException("Connection refused"));
        store.script.add(new DocumentStore.Result(DocumentStore.Outcome.RETRY, "429 es_rejected_execution_exception"));
        store.script.add(new java.net.ConnectException("Connection refused"));
        task.put(batch); // comes back: rewound to its first record, paused for the backoff
        assertThat(context.rewound).containsEntry(PARTITION, 0L);
        assertThat(context.paused).containsExactly(PARTITION);
        assertThat(task.preCommit(Map.of(PARTITION, new OffsetAndMetadata(2))))
                .containsEntry(PARTITION, new OffsetAndMetadata(0));
        redeliver(task, batch);
        now += BACKOFF_NANOS;
        task.put(List.of());
        assertThatThrownBy(() -> task.put(batch))
                .isInstanceOf(ConnectException.class)
                .hasMessageContaining("max.retries");
        assertThat(context.timeouts).containsExactly(1_000L, 1_000L);
        assertThat(context.deadLetters).isEmpty();

        task.put(batch); // back: the redelivered batch is written and the retry count starts over
        assertThat(store.written).containsExactly("d_a:1", "d_a:2");
    }

    @Test
    void shouldDeadLetterARefusedDocumentAndAnUndecodableRecordAndWriteTheRest() {
        RecordingContext context = new RecordingContext();
        OpenSearchSinkTask task = start(context, 2);
        SinkRecord garbage = new SinkRecord(TOPIC, 0, null, "d_x", null, "garbage".getBytes(), nextOffset++);
        SinkRecord refused = message("d_bad", 1);
        store.script.add(new DocumentStore.Result(DocumentStore.Outcome.REFUSED, "400 mapper_parsing_exception: x"));
        task.put(List.of(garbage, refused, message("d_a", 1)));
        assertThat(store.written).containsExactly("d_a:1");
        assertThat(context.deadLetters)
                .extracting(RecordingContext.Report::record)
                .containsExactly(garbage, refused);
        assertThat(context.deadLetters.get(1).error().getMessage()).contains("mapper_parsing_exception");
    }

    @Test
    void shouldDeadLetterAnUndecodableRecordOnceWhenItsBatchIsRedelivered() {
        RecordingContext context = new RecordingContext();
        OpenSearchSinkTask task = start(context, 5);
        SinkRecord garbage = new SinkRecord(TOPIC, 0, null, "d_x", null, "garbage".getBytes(), nextOffset++);
        List<SinkRecord> batch = List.of(garbage, message("d_a", 1));
        store.script.add(new DocumentStore.Result(DocumentStore.Outcome.RETRY, "503 unavailable_shards_exception"));
        store.script.add(new java.net.ConnectException("Connection refused"));
        task.put(batch);
        redeliver(task, batch);
        assertThat(context.deadLetters)
                .as("nothing reported while the batch is not written")
                .isEmpty();

        redeliver(task, batch);
        assertThat(context.deadLetters)
                .extracting(RecordingContext.Report::record)
                .containsExactly(garbage);
        assertThat(store.written).containsExactly("d_a:1");
    }

    @Test
    void shouldSortBulkItemsByStatus() throws Exception {
        ObjectMapper json = new ObjectMapper();
        DocumentAction index = DocumentAction.index("c:1", "c", Map.of());
        DocumentAction delete = DocumentAction.delete("c:1", "c");
        assertThat(OpenSearchDocumentStore.result(index, json.readTree("{\"status\":201}"))
                        .outcome())
                .isEqualTo(DocumentStore.Outcome.DONE);
        assertThat(OpenSearchDocumentStore.result(delete, json.readTree("{\"status\":404}"))
                        .outcome())
                .as("a redelivered delete")
                .isEqualTo(DocumentStore.Outcome.DONE);
        assertThat(OpenSearchDocumentStore.result(index, json.readTree("{\"status\":429}"))
                        .outcome())
                .isEqualTo(DocumentStore.Outcome.RETRY);
        assertThat(OpenSearchDocumentStore.result(index, json.readTree("{\"status\":503}"))
                        .outcome())
                .isEqualTo(DocumentStore.Outcome.RETRY);
        DocumentStore.Result refused = OpenSearchDocumentStore.result(
                index,
                json.readTree("{\"status\":400,\"error\":{\"type\":\"mapper_parsing_exception\",\"reason\":\"bad\"}}"));
        assertThat(refused.outcome()).isEqualTo(DocumentStore.Outcome.REFUSED);
        assertThat(refused.reason()).isEqualTo("400 mapper_parsing_exception: bad");
    }
}
