package dev.parley.connect;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** What a failed batch leaves the worker allowed to commit, and what it rewinds and pauses. */
class SinkRedeliveryTest {

    private static final String TOPIC = "parley.events.v1";
    private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
    private static final TopicPartition P1 = new TopicPartition(TOPIC, 1);
    private static final TopicPartition P2 = new TopicPartition(TOPIC, 2);
    private static final long BACKOFF_MS = 500;

    private final RecordingContext context = new RecordingContext();
    private long now; // nanoseconds
    private final SinkRedelivery redelivery =
            new SinkRedelivery(context, "Cassandra", "max.retries", BACKOFF_MS, 3, () -> now);
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(SinkRedelivery.class);

    @BeforeEach
    void watchTheLog() {
        logged.start();
        logger.addAppender(logged);
        context.assignment.addAll(List.of(P0, P1));
    }

    @AfterEach
    void stopWatching() {
        logger.detachAppender(logged);
    }

    private static SinkRecord record(int partition, long offset) {
        return new SinkRecord(TOPIC, partition, null, "k", null, new byte[0], offset);
    }

    private static Map<TopicPartition, OffsetAndMetadata> consumed(long p0, long p1, long p2) {
        return Map.of(
                P0, new OffsetAndMetadata(p0),
                P1, new OffsetAndMetadata(p1),
                P2, new OffsetAndMetadata(p2));
    }

    @Test
    void shouldLetTheWorkerCommitARewoundPartitionOnlyUpToItsFirstUnwrittenRecordUntilItIsWritten() {
        List<SinkRecord> batch = List.of(record(0, 5), record(0, 6), record(1, 9));
        redelivery.later(batch, "WriteTimeoutException", null);

        assertThat(context.rewound).containsExactlyInAnyOrderEntriesOf(Map.of(P0, 5L, P1, 9L));
        assertThat(context.paused).containsExactlyInAnyOrder(P0, P1);
        assertThat(context.timeouts).containsExactly(BACKOFF_MS);
        assertThat(redelivery.committable(consumed(7, 10, 3)))
                .as("a partition the batch did not touch commits as consumed")
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        P0, new OffsetAndMetadata(5), P1, new OffsetAndMetadata(9), P2, new OffsetAndMetadata(3)));

        now += BACKOFF_MS * 1_000_000;
        assertThat(redelivery.ready(List.of())).isTrue();
        assertThat(context.paused).isEmpty();
        redelivery.written(List.of(record(0, 5), record(0, 6))); // the next poll brought back only p0's
        assertThat(redelivery.committable(consumed(7, 10, 3)))
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        P0, new OffsetAndMetadata(7), P1, new OffsetAndMetadata(9), P2, new OffsetAndMetadata(3)));
        redelivery.written(List.of(record(1, 9)));
        assertThat(redelivery.committable(consumed(7, 10, 3))).isEqualTo(consumed(7, 10, 3));

        assertThat(logged.list).noneMatch(e -> e.getLevel().isGreaterOrEqual(Level.ERROR));
        assertThat(logged.list)
                .singleElement()
                .satisfies(e -> assertThat(e.getLevel()).isEqualTo(Level.WARN))
                .satisfies(e -> assertThat(e.getFormattedMessage())
                        .isEqualTo("Cassandra write failed (1 of 3 retries), batch of 3 comes again in 500 ms:"
                                + " WriteTimeoutException"));
    }

    @Test
    void shouldRewindAndPauseRecordsOfAPartitionAssignedDuringTheBackoffWithoutWritingThem() {
        redelivery.later(List.of(record(0, 5)), "NoNodeAvailableException", null);
        context.assignment.add(P2); // a rebalance: the worker re-paused what it had paused, not p2
        now += BACKOFF_MS * 1_000_000 / 5;

        assertThat(redelivery.ready(List.of(record(2, 40), record(2, 41)))).isFalse();
        assertThat(context.rewound).containsEntry(P2, 40L);
        assertThat(context.paused).contains(P2);
        assertThat(context.timeouts).containsExactly(BACKOFF_MS, BACKOFF_MS * 4 / 5);
        assertThat(redelivery.committable(consumed(6, 0, 42))).containsEntry(P2, new OffsetAndMetadata(40));
    }

    @Test
    void shouldKeepTheOldestRewindWhenABatchFailsAgainAndForgetRevokedPartitions() {
        redelivery.later(List.of(record(0, 5), record(0, 6)), "timeout", null);
        now += BACKOFF_MS * 1_000_000;
        redelivery.ready(List.of());
        redelivery.later(List.of(record(0, 5), record(0, 6), record(0, 7)), "timeout", null);
        assertThat(context.rewound).containsEntry(P0, 5L);
        assertThat(redelivery.committable(Map.of(P0, new OffsetAndMetadata(8))))
                .containsEntry(P0, new OffsetAndMetadata(5));

        // revoked: the worker has committed 5 (the first unwritten record) and the new owner reads from there
        redelivery.closed(List.of(P0));
        assertThat(redelivery.committable(Map.of(P0, new OffsetAndMetadata(8))))
                .containsEntry(P0, new OffsetAndMetadata(8));
    }

    @Test
    void shouldNotCountAPollWithNoRecordsAsAWrittenBatch() {
        for (int failed = 1; failed <= 3; failed++) {
            redelivery.later(List.of(record(0, 5)), "timeout", null);
            now += BACKOFF_MS * 1_000_000;
            redelivery.ready(List.of());
            redelivery.written(List.of()); // the poll after the backoff, before the rewound record is back
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> redelivery.later(List.of(record(0, 5)), "timeout", null))
                .hasMessageContaining("still failing after 3 retries (max.retries)");
    }
}
