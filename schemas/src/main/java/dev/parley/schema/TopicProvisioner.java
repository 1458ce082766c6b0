package dev.parley.schema;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates topics from the catalogue before anything produces to them (Streams' dynamic sinks need
 * their topics to exist). Idempotent: an existing topic is left as it is.
 */
public final class TopicProvisioner {

    private final Admin admin;
    private final short replicationFactor;
    private final int partitionsOverride;
    private final Integer minInsyncReplicas;

    /**
     * @param partitionsOverride partitions for every fixed topic, or 0 for the catalogue's defaults
     * @param minInsyncReplicas {@code min.insync.replicas} for every topic, or null for the broker's
     */
    public TopicProvisioner(Admin admin, short replicationFactor, int partitionsOverride, Integer minInsyncReplicas) {
        this.admin = admin;
        this.replicationFactor = replicationFactor;
        this.partitionsOverride = partitionsOverride;
        this.minInsyncReplicas = minInsyncReplicas;
    }

    /** The fixed topics of the catalogue. */
    public void provisionCatalogue() {
        ensure(Topics.fixed(), true);
    }

    /** One edge's delivery topic; an edge calls this before it accepts a socket. */
    public void provisionDelivery(String edgeId) {
        ensure(List.of(Topics.delivery(edgeId)), false);
    }

    private void ensure(Collection<TopicSpec> specs, boolean applyOverride) {
        List<NewTopic> topics = new ArrayList<>();
        for (TopicSpec spec : specs) {
            int partitions = applyOverride && partitionsOverride > 0 ? partitionsOverride : spec.partitions();
            Map<String, String> configs = spec.configs();
            if (minInsyncReplicas != null) {
                configs.put("min.insync.replicas", minInsyncReplicas.toString());
            }
            topics.add(new NewTopic(spec.name(), partitions, replicationFactor).configs(configs));
        }
        Map<String, KafkaFuture<Void>> results = admin.createTopics(topics).values();
        for (Map.Entry<String, KafkaFuture<Void>> result : results.entrySet()) {
            try {
                result.getValue().get(60, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("cannot create topic " + result.getKey() + ": " + e.getCause(), e);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted creating topics", e);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException("timed out creating topic " + result.getKey(), e);
            }
        }
    }
}
