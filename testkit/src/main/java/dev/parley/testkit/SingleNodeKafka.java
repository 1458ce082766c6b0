package dev.parley.testkit;

import java.nio.file.Files;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * One real Kafka node in KRaft mode (broker and controller combined) on random loopback ports.
 * Internal topics get replication factor 1, or transactions and consumer groups would hang.
 */
public final class SingleNodeKafka implements AutoCloseable {

    private final KafkaClusterTestKit cluster;

    private SingleNodeKafka(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    public static SingleNodeKafka start() {
        try {
            KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                            .setCombined(true)
                            // a folder of our own: the kit's default one is deleted by a JVM exit hook
                            // of its own, which can run while the stop hook still stops the broker (a CI
                            // run logged a log directory failure at ERROR); close() deletes ours after
                            .setBaseDirectory(Files.createTempDirectory("parley-kafka"))
                            .setNumBrokerNodes(1)
                            .setNumControllerNodes(1)
                            // what a release runs (and EmbeddedKafka formats), not the test kit's
                            // default, the newest testing version with features not yet released
                            .setBootstrapMetadataVersion(MetadataVersion.LATEST_PRODUCTION)
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
            return new SingleNodeKafka(cluster);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start Kafka", e);
        }
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
