package dev.parley.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;

/**
 * What a test JVM logs at ERROR while a suite runs. A client's bad input or a flood must be
 * answered with a code and an outage a sink rides out with a WARN line, never logged as an error.
 */
public final class ErrorLog {

    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    private ErrorLog() {}

    /** Starts capturing everything logged in this JVM. */
    public static ErrorLog attach() {
        ErrorLog log = new ErrorLog();
        log.appender.start();
        root().addAppender(log.appender);
        return log;
    }

    public void detach() {
        root().detachAppender(appender);
    }

    /** No ERROR line from Parley, Undertow or XNIO. */
    public void assertNoEdgeErrors() {
        assertNoErrors("the edge", "dev.parley", "io.undertow", "org.xnio");
    }

    /** No ERROR line from a logger under any of {@code loggerPrefixes}; {@code who} names them in the failure. */
    public void assertNoErrors(String who, String... loggerPrefixes) {
        List<String> errors = appender.list.stream()
                .filter(e -> e.getLevel().isGreaterOrEqual(Level.ERROR))
                .filter(e -> Stream.of(loggerPrefixes).anyMatch(e.getLoggerName()::startsWith))
                .map(e -> e.getLoggerName() + ": " + e.getFormattedMessage())
                .toList();
        assertThat(errors).as("ERROR lines logged by " + who).isEmpty();
    }

    /** The messages logged at {@code level} or above by loggers under {@code loggerPrefix}, formatted. */
    public List<String> messages(Level level, String loggerPrefix) {
        return appender.list.stream()
                .filter(e -> e.getLevel().isGreaterOrEqual(level))
                .filter(e -> e.getLoggerName().startsWith(loggerPrefix))
                .map(ILoggingEvent::getFormattedMessage)
                .toList();
    }

    private static Logger root() {
        return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }
}
