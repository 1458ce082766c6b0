package dev.parley.testkit;

import java.nio.file.Files;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real multi-broker Kafka cluster in KRaft mode on loopback ports: separate brokers and one
 * controller, so a broker can be stopped without losing the quorum. Internal topics are replicated
 * three ways with min.insync.replicas 2, as in cluster mode.
 */
public final class KafkaCluster implements AutoCloseable {

    private final KafkaClusterTestKit cluster;

    private KafkaCluster(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    public static KafkaCluster start(int brokers) {
        try {
            KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                            .setCombined(false)
                            // a folder of our own: the kit's default one is deleted by a JVM exit hook
                            // of its own, which can run while the stop hook still stops the broker (a CI
                            // run logged a log directory failure at ERROR); close() deletes ours after
                            .setBaseDirectory(Files.createTempDirectory("parley-kafka"))
                            .setNumBrokerNodes(brokers)
                            .setNumControllerNodes(1)
                            // what a release runs (and EmbeddedKafka formats), not the test kit's
                            // default, the newest testing version with features not yet released
                            .setBootstrapMetadataVersion(MetadataVersion.LATEST_PRODUCTION)
                            .build())
                    .setConfigProp("offsets.topic.replication.factor", "3")
                    .setConfigProp("offsets.topic.num.partitions", "3")
                    .setConfigProp("transaction.state.log.replication.factor", "3")
                    .setConfigProp("transaction.state.log.min.isr", "2")
                    .setConfigProp("transaction.state.log.num.partitions", "3")
                    .setConfigProp("default.replication.factor", "3")
                    .setConfigProp("min.insync.replicas", "2")
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    // as docker-compose.yml: a dead producer's open transaction is aborted within 1 s of
                    // its timeout, not 10 (it holds back read_committed readers until then)
                    .setConfigProp("transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000")
                    .setConfigProp("auto.create.topics.enable", "false")
                    .build();
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            return new KafkaCluster(cluster);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the Kafka cluster", e);
        }
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /** The broker ids, in order. */
    public java.util.List<Integer> brokerIds() {
        return java.util.List.copyOf(new java.util.TreeSet<>(cluster.brokers().keySet()));
    }

    /** Stops one broker as a crash would look to clients: its connections close, its partitions move. */
    public void stopBroker(int id) {
        cluster.brokers().get(id).shutdown();
        cluster.brokers().get(id).awaitShutdown();
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
