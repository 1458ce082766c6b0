package dev.parley.schema;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * What the processes run at start instead of creating topics, as {@link SchemaVersionCheck} does
 * for Cassandra: every fixed topic of {@link Topics} must exist and, when the deployment names a
 * partition count ({@code topics.partitions}), have that many partitions, or the process refuses
 * to start with one line saying what to run. Only the migrate step creates and converges them
 * ({@link TopicProvisioner}); each edge still creates its own delivery topic.
 */
public final class TopicCatalogueCheck {

    /** The catalogue is not as this deployment needs it; the message is the line to show. */
    public static final class TopicCatalogueMismatch extends RuntimeException {
        public TopicCatalogueMismatch(String message) {
            super(message);
        }
    }

    private TopicCatalogueCheck() {}

    /**
     * Throws {@link TopicCatalogueMismatch} unless every catalogue topic exists with {@code
     * partitions} partitions (0: any count).
     */
    public static void require(Admin admin, int partitions) {
        List<String> names = Topics.fixed().stream().map(TopicSpec::name).toList();
        Map<String, KafkaFuture<TopicDescription>> described =
                admin.describeTopics(names).topicNameValues();
        List<String> missing = new ArrayList<>();
        List<String> otherCount = new ArrayList<>();
        for (String name : names) {
            try {
                int found = described
                        .get(name)
                        .get(60, TimeUnit.SECONDS)
                        .partitions()
                        .size();
                if (partitions > 0 && found != partitions) {
                    otherCount.add(name + " (" + found + ")");
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw new IllegalStateException("cannot describe topic " + name + ": " + e.getCause(), e);
                }
                missing.add(name);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted describing topic " + name, e);
            } catch (TimeoutException e) {
                throw new IllegalStateException("timed out describing topic " + name, e);
            }
        }
        if (!missing.isEmpty()) {
            throw new TopicCatalogueMismatch("Kafka topics " + String.join(", ", missing)
                    + " do not exist: run `parley migrate` (README, Upgrades)");
        }
        if (!otherCount.isEmpty()) {
            throw new TopicCatalogueMismatch("Kafka topics " + String.join(", ", otherCount) + " do not have the "
                    + partitions + " partitions topics.partitions names: set it to what the topics have (partitions"
                    + " of an existing topic are never changed: that would move conversations between partitions)");
        }
    }
}
