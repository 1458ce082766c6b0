package dev.parley.connect;

import dev.parley.testkit.KafkaClusterExtension;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.connect.runtime.Connect;
import org.apache.kafka.connect.runtime.standalone.StandaloneHerder;

/** How the sink ITs start a connector in their real Connect worker. */
public final class SinkWorkers {

    private SinkWorkers() {}

    /**
     * Creates the dead-letter topic {@code cfg} names, as the migrate step does in production (left
     * to Connect, its reporter logs "Topic ... doesn't exist" at ERROR first), then registers the
     * connector and waits until the worker took it.
     */
    public static void register(Connect<StandaloneHerder> connect, Map<String, String> cfg) throws Exception {
        String dlq = cfg.get("errors.deadletterqueue.topic.name");
        if (dlq != null) {
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", KafkaClusterExtension.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic(dlq, 1, (short) 1)))
                        .all()
                        .get();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        }
        var registered = new CompletableFuture<Void>();
        connect.herder().putConnectorConfig(cfg.get("name"), cfg, true, (error, info) -> {
            if (error != null) {
                registered.completeExceptionally(error);
            } else {
                registered.complete(null);
            }
        });
        registered.get(30, TimeUnit.SECONDS);
    }
}
