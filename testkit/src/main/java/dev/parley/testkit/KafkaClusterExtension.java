package dev.parley.testkit;

import java.util.UUID;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real Kafka broker in KRaft mode (combined broker and controller, {@code KafkaClusterTestKit}),
 * started once per test JVM on random loopback ports. Internal topics get replication factor 1 or
 * transactions and consumer groups would hang on one node. Tests isolate themselves with fresh
 * topic names or application ids ({@link #unique(String)}).
 */
public final class KafkaClusterExtension implements BeforeAllCallback {

    private static volatile Running running;

    @Override
    public void beforeAll(ExtensionContext context) {
        synchronized (KafkaClusterExtension.class) {
            if (running == null) {
                running = JvmLifetime.stopAtExit(Running.start());
            }
        }
    }

    public static String bootstrapServers() {
        if (running == null) {
            throw new IllegalStateException("annotate the test with @ExtendWith(KafkaClusterExtension.class)");
        }
        return running.kafka.bootstrapServers();
    }

    public static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static final class Running implements AutoCloseable {
        private final SingleNodeKafka kafka;

        private Running(SingleNodeKafka kafka) {
            this.kafka = kafka;
        }

        static Running start() {
            return new Running(SingleNodeKafka.start());
        }

        @Override
        public void close() throws Exception {
            kafka.close();
        }
    }
}
