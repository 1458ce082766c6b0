package dev.parley.schema;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.ToIntFunction;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates topics from the catalogue before anything produces to them (Streams' dynamic sinks need
 * their topics to exist). Idempotent and converging: an existing topic keeps its partitions and
 * retention, but gets the configs correctness depends on ({@link TopicSpec#enforcedConfigs()},
 * {@code min.insync.replicas} when given), so a topic an older release created is brought up to date
 * at the next start (e.g. {@code message.timestamp.type=LogAppendTime} on parley.commands.v1).
 */
public final class TopicProvisioner {

    private static final Logger log = LoggerFactory.getLogger(TopicProvisioner.class);
    private static final String MIN_INSYNC = "min.insync.replicas";

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
        List<TopicSpec> independent =
                Topics.fixed().stream().filter(spec -> spec != Topics.TYPING).toList();
        ensure(independent, spec -> partitionsOverride > 0 ? partitionsOverride : spec.partitions());
        // SignalTopology pairs typing partition i with the membership changelog's partition i, and
        // the changelog has the commands topic's partitions, whatever that topic was created with
        int commandPartitions = partitionsOf(Topics.COMMANDS.name());
        ensure(List.of(Topics.TYPING), spec -> commandPartitions);
        int typingPartitions = partitionsOf(Topics.TYPING.name());
        if (typingPartitions != commandPartitions) {
            log.warn(
                    "{} has {} partitions and {} has {}: typing of some conversations is not relayed until"
                            + " their partition counts are equal (add partitions to the smaller)",
                    Topics.TYPING.name(),
                    typingPartitions,
                    Topics.COMMANDS.name(),
                    commandPartitions);
        }
    }

    /** One edge's delivery and signals topics; an edge calls this before it accepts a socket. */
    public void provisionDelivery(String edgeId) {
        ensure(List.of(Topics.delivery(edgeId), Topics.signals(edgeId)), TopicSpec::partitions);
    }

    /** A topic's partition count; asked again for up to 10 s while a topic just created is unknown. */
    private int partitionsOf(String topic) {
        for (int attempt = 1; ; attempt++) {
            try {
                return await(admin.describeTopics(List.of(topic)).allTopicNames(), "describe topic " + topic)
                        .get(topic)
                        .partitions()
                        .size();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || attempt == 40) {
                    throw new IllegalStateException("cannot describe topic " + topic + ": " + e.getCause(), e);
                }
            }
            try {
                Thread.sleep(250); // the broker that answered has not seen the creation yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted: describe topic " + topic, e);
            }
        }
    }

    /** Creates what is missing, with {@code partitions} of each spec, and converges what exists. */
    private void ensure(Collection<TopicSpec> specs, ToIntFunction<TopicSpec> partitionsOf) {
        List<NewTopic> topics = new ArrayList<>();
        Map<String, Map<String, String>> enforced = new HashMap<>();
        for (TopicSpec spec : specs) {
            int partitions = partitionsOf.applyAsInt(spec);
            Map<String, String> configs = spec.configs();
            Map<String, String> required = spec.enforcedConfigs();
            if (minInsyncReplicas != null) {
                configs.put(MIN_INSYNC, minInsyncReplicas.toString());
                required.put(MIN_INSYNC, minInsyncReplicas.toString());
            }
            enforced.put(spec.name(), required);
            topics.add(new NewTopic(spec.name(), partitions, replicationFactor).configs(configs));
        }
        Map<String, KafkaFuture<Void>> results = admin.createTopics(topics).values();
        List<String> existing = new ArrayList<>();
        for (Map.Entry<String, KafkaFuture<Void>> result : results.entrySet()) {
            try {
                await(result.getValue(), "create topic " + result.getKey());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("cannot create topic " + result.getKey() + ": " + e.getCause(), e);
                }
                existing.add(result.getKey());
            }
        }
        if (!existing.isEmpty()) {
            converge(existing, enforced);
        }
    }

    /** Sets what differs from the enforced configs on topics that already existed; one round trip each way. */
    private void converge(List<String> names, Map<String, Map<String, String>> enforced) {
        List<ConfigResource> resources = names.stream()
                .map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n))
                .toList();
        Map<ConfigResource, Collection<AlterConfigOp>> changes = new HashMap<>();
        try {
            Map<ConfigResource, Config> current =
                    await(admin.describeConfigs(resources).all(), "describe topics " + names);
            for (ConfigResource resource : resources) {
                Config config = current.get(resource);
                List<AlterConfigOp> ops = new ArrayList<>();
                enforced.get(resource.name()).forEach((key, wanted) -> {
                    ConfigEntry entry = config == null ? null : config.get(key);
                    if (entry == null || !wanted.equals(entry.value())) {
                        ops.add(new AlterConfigOp(new ConfigEntry(key, wanted), AlterConfigOp.OpType.SET));
                    }
                });
                if (!ops.isEmpty()) {
                    changes.put(resource, ops);
                    log.info("converging {}: {}", resource.name(), ops);
                }
            }
            if (!changes.isEmpty()) {
                await(admin.incrementalAlterConfigs(changes).all(), "alter topic configs " + changes.keySet());
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AuthorizationException) {
                // topics managed by the operator's tooling under tighter ACLs: say what to set, go on
                log.warn(
                        "not allowed to check or converge topic configs of {} (wanted {}): {}",
                        names,
                        enforced,
                        e.getCause().toString());
                return;
            }
            throw new IllegalStateException("cannot converge configs of " + names + ": " + e.getCause(), e);
        }
    }

    private static <T> T await(KafkaFuture<T> future, String what) throws ExecutionException {
        try {
            return future.get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + what, e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("timed out: " + what, e);
        }
    }
}
