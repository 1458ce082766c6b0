package dev.parley.testkit;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.ILoggerFactory;
import org.slf4j.MDC;

/**
 * Runs a process's own logback configuration (its {@code src/main/resources/logback.xml}) in a
 * logger context of its own, with properties standing in for the environment ({@code
 * PARLEY_LOG_FORMAT}), and returns what it wrote to the console: the test sees the lines an
 * operator would. The JVM's own logging (the test configuration) is untouched.
 */
public final class LogFormatProbe {

    private LogFormatProbe() {}

    /** The console lines {@code config} writes while {@code logging} logs through the factory it is given. */
    public static synchronized List<String> consoleLines(
            Path config, Map<String, String> properties, Consumer<ILoggerFactory> logging) throws Exception {
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(MDC.getMDCAdapter()); // the ids the code under test puts in the MDC
        properties.forEach(context::putProperty);
        PrintStream console = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            configurator.doConfigure(config.toFile());
            logging.accept(context);
        } finally {
            context.stop();
            System.setOut(console);
        }
        return out.toString(StandardCharsets.UTF_8).lines().toList();
    }
}
