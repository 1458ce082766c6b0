package dev.parley.edge;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;

/**
 * What the edge (Parley, Undertow, XNIO) logs at ERROR while a suite runs: a client's bad input or
 * a flood must be answered with a code, never logged as an error.
 */
final class ErrorLog {

    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    private ErrorLog() {}

    /** Starts capturing everything logged in this JVM. */
    static ErrorLog attach() {
        ErrorLog log = new ErrorLog();
        log.appender.start();
        root().addAppender(log.appender);
        return log;
    }

    void detach() {
        root().detachAppender(appender);
    }

    void assertNoEdgeErrors() {
        List<String> errors = appender.list.stream()
                .filter(e -> e.getLevel().isGreaterOrEqual(Level.ERROR))
                .filter(e -> Stream.of("dev.parley", "io.undertow", "org.xnio").anyMatch(e.getLoggerName()::startsWith))
                .map(e -> e.getLoggerName() + ": " + e.getFormattedMessage())
                .toList();
        assertThat(errors).as("ERROR lines logged by the edge").isEmpty();
    }

    private static Logger root() {
        return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }
}
