package dev.parley.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.schema.TopicCatalogueCheck.TopicCatalogueMismatch;
import dev.parley.schema.TopicSpec;
import dev.parley.schema.Topics;
import dev.parley.testkit.RedisServerExtension;
import dev.parley.testkit.SingleNodeKafka;
import dev.parley.topology.TopologyMain;
import dev.parley.topology.TopologySettings;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The migrate step owns the topic catalogue (issue #15): on a fresh broker the topology and the edge
 * refuse to start with one line until {@code Migrate.topics} created it; running it again changes
 * nothing; a topology expecting another partition count refuses too, one with the right count starts.
 */
@ExtendWith(RedisServerExtension.class)
class MigrateTopicsIT {

    private static final String MISSING_SUFFIX = " do not exist: run `parley migrate` (README, Upgrades)";

    @Test
    void shouldRefuseToStartTheProcessesUntilMigrateProvisionedTheCatalogue() throws Exception {
        try (SingleNodeKafka kafka = SingleNodeKafka.start()) {
            String bootstrap = kafka.bootstrapServers();
            assertThatThrownBy(() -> TopologyMain.start(topology(bootstrap, 2)))
                    .isInstanceOf(TopicCatalogueMismatch.class)
                    .hasMessageStartingWith("Kafka topics ")
                    .hasMessageContaining("parley.commands.v1")
                    .hasMessageEndingWith(MISSING_SUFFIX);
            assertThatThrownBy(() -> EdgeMain.start(edge(bootstrap)))
                    .isInstanceOf(TopicCatalogueMismatch.class)
                    .hasMessageEndingWith(MISSING_SUFFIX);

            EdgeSettings migrate = new EdgeSettings(
                    Map.of(EdgeSettings.BOOTSTRAP_SERVERS, bootstrap, EdgeSettings.TOPIC_PARTITIONS, 2));
            Migrate.topics(migrate);
            Migrate.topics(migrate); // idempotent: a second run (a redeploy) finds everything there
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
                List<String> names =
                        Topics.fixed().stream().map(TopicSpec::name).toList();
                Map<String, TopicDescription> topics =
                        admin.describeTopics(names).allTopicNames().get();
                assertThat(topics).hasSize(names.size());
                topics.values()
                        .forEach(t -> assertThat(t.partitions()).as(t.name()).hasSize(2));
            }

            assertThatThrownBy(() -> TopologyMain.start(topology(bootstrap, 3)))
                    .isInstanceOf(TopicCatalogueMismatch.class)
                    .hasMessageContaining("parley.commands.v1 (2)")
                    .hasMessageContaining("do not have the 3 partitions topics.partitions names");
            try (TopologyMain.RunningTopology running = TopologyMain.start(topology(bootstrap, 2))) {
                assertThat(running).isNotNull();
            }
        }
    }

    private static TopologySettings topology(String bootstrap, int partitions) throws Exception {
        return new TopologySettings(Map.of(
                TopologySettings.BOOTSTRAP_SERVERS,
                bootstrap,
                TopologySettings.APPLICATION_ID,
                "migrate-it",
                TopologySettings.NOTIFICATION_APPLICATION_ID,
                "migrate-it-notify",
                TopologySettings.STATE_DIR,
                Files.createTempDirectory("migrate-it").toString(),
                TopologySettings.TOPIC_PARTITIONS,
                partitions,
                TopologySettings.REDIS_URL,
                RedisServerExtension.url(),
                TopologySettings.REDIS_KEY_PREFIX,
                RedisServerExtension.newKeyPrefix(),
                TopologySettings.METRICS_PORT,
                0));
    }

    private static EdgeSettings edge(String bootstrap) {
        return new EdgeSettings(Map.of(
                EdgeSettings.EDGE_ID,
                "migrate-it",
                EdgeSettings.HTTP_PORT,
                0,
                EdgeSettings.BOOTSTRAP_SERVERS,
                bootstrap,
                EdgeSettings.JWT_SECRET,
                "it-secret-it-secret-it-secret-it-secret"));
    }
}
