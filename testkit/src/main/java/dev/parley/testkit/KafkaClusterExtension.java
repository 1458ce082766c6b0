package dev.parley.testkit;

import java.util.UUID;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
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
                running = context.getRoot()
                        .getStore(ExtensionContext.Namespace.GLOBAL)
                        .getOrComputeIfAbsent(Running.class, k -> Running.start(), Running.class);
            }
        }
    }

    public static String bootstrapServers() {
        if (running == null) {
            throw new IllegalStateException("annotate the test with @ExtendWith(KafkaClusterExtension.class)");
        }
        return running.cluster.bootstrapServers();
    }

    public static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static final class Running implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        private final KafkaClusterTestKit cluster;

        private Running(KafkaClusterTestKit cluster) {
            this.cluster = cluster;
        }

        static Running start() {
            try {
                KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                                .setCombined(true)
                                .setNumBrokerNodes(1)
                                .setNumControllerNodes(1)
                                .build())
                        .setConfigProp("offsets.topic.replication.factor", "1")
                        .setConfigProp("offsets.topic.num.partitions", "3")
                        .setConfigProp("transaction.state.log.replication.factor", "1")
                        .setConfigProp("transaction.state.log.min.isr", "1")
                        .setConfigProp("transaction.state.log.num.partitions", "3")
                        .setConfigProp("share.coordinator.state.topic.replication.factor", "1")
                        .setConfigProp("share.coordinator.state.topic.min.isr", "1")
                        .setConfigProp("group.initial.rebalance.delay.ms", "0")
                        .setConfigProp("auto.create.topics.enable", "false")
                        .build();
                cluster.format();
                cluster.startup();
                cluster.waitForReadyBrokers();
                return new Running(cluster);
            } catch (Exception e) {
                throw new IllegalStateException("cannot start Kafka", e);
            }
        }

        @Override
        public void close() throws Exception {
            cluster.close();
        }
    }
}
