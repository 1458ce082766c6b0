package dev.parley.connect.search;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class ExpiredDocumentPurgeTest {

    private static final long INTERVAL = 300_000;
    private static final long BACKOFF = 1_000;
    private final OpenSearchSinkTaskTest.ScriptedStore store = new OpenSearchSinkTaskTest.ScriptedStore();
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(ExpiredDocumentPurge.class);
    private ExpiredDocumentPurge purge;

    @BeforeEach
    void attach() {
        logged.start();
        logger.addAppender(logged);
        purge = new ExpiredDocumentPurge(
                store, Clock.fixed(Instant.parse("2026-12-01T12:00:00Z"), ZoneOffset.UTC), INTERVAL, BACKOFF, 100);
    }

    @AfterEach
    void detach() {
        logger.detachAppender(logged);
        purge.close();
    }

    @Test
    void shouldRunAgainSoonWhileABacklogFillsEveryRunAndThenWaitTheInterval() {
        store.purges.add(100L);
        store.purges.add(100L);
        store.purges.add(7L);
        assertThat(purge.runOnce()).isEqualTo(BACKOFF);
        assertThat(purge.runOnce()).isEqualTo(BACKOFF);
        assertThat(purge.runOnce()).isEqualTo(INTERVAL);
        assertThat(purge.runOnce()).isEqualTo(INTERVAL); // nothing to delete
    }

    @Test
    void shouldBackOffDoublingUpToTheIntervalAndWarnOnceWithoutAnyErrorLog() {
        for (int i = 0; i < 12; i++) {
            store.purges.add(new IOException("Connection refused"));
        }
        long[] delays = new long[12];
        for (int i = 0; i < 12; i++) {
            delays[i] = purge.runOnce();
        }
        assertThat(delays)
                .containsExactly(
                        1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 128_000, 256_000, INTERVAL, INTERVAL,
                        INTERVAL);
        assertThat(purge.runOnce()).isEqualTo(INTERVAL); // answering again: back to the interval
        store.purges.add(new IOException("429"));
        assertThat(purge.runOnce()).as("a new streak starts from the backoff").isEqualTo(BACKOFF);
        assertThat(logged.list).noneMatch(e -> e.getLevel().isGreaterOrEqual(Level.ERROR));
        assertThat(logged.list.stream().filter(e -> e.getLevel() == Level.WARN)).hasSize(2); // one per streak
    }
}
