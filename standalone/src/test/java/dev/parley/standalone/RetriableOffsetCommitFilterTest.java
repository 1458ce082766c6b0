package dev.parley.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.Map;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.RetriableCommitFailedException;
import org.apache.kafka.common.errors.NotCoordinatorException;
import org.junit.jupiter.api.Test;

class RetriableOffsetCommitFilterTest {

    /** Connect's own call (WorkerSinkTask.onCommitCompleted, Kafka 4.x): task, sequence, offsets, error. */
    private static final String CONNECT_LINE =
            "{} Commit of offsets threw an unexpected exception for sequence number {}: {}";

    private final LoggerContext context = new LoggerContext();
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();

    RetriableOffsetCommitFilterTest() {
        RetriableOffsetCommitFilter filter = new RetriableOffsetCommitFilter();
        filter.start();
        context.addTurboFilter(filter);
        lines.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(lines);
    }

    @Test
    void shouldLogARetriableOffsetCommitFailureOfASinkTaskAtWarnWithItsCause() {
        Exception retriable = new RetriableCommitFailedException(new NotCoordinatorException("moved"));
        context.getLogger(RetriableOffsetCommitFilter.CONNECT_SINK_TASK)
                .error(CONNECT_LINE, "WorkerSinkTask{id=parley-cassandra-sink-0}", 12, Map.of(), retriable);

        assertThat(lines.list).singleElement().satisfies(line -> {
            assertThat(line.getLevel()).isEqualTo(Level.WARN);
            assertThat(line.getFormattedMessage()).contains("sequence number 12");
            assertThat(line.getThrowableProxy().getClassName())
                    .isEqualTo(RetriableCommitFailedException.class.getName());
        });
    }

    @Test
    void shouldKeepEveryOtherErrorAtError() {
        Logger connect = context.getLogger(RetriableOffsetCommitFilter.CONNECT_SINK_TASK);
        connect.error(CONNECT_LINE, "task", 13, Map.of(), new CommitFailedException("fenced"));
        connect.error("{} Task threw an uncaught and unrecoverable exception", "task", new IllegalStateException());
        context.getLogger("dev.parley.other")
                .error(CONNECT_LINE, "task", 14, Map.of(), new RetriableCommitFailedException("elsewhere"));

        assertThat(lines.list)
                .extracting(ILoggingEvent::getLevel)
                .containsExactly(Level.ERROR, Level.ERROR, Level.ERROR);
    }
}
