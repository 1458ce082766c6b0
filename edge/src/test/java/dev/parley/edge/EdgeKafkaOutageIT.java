package dev.parley.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.schema.TopicProvisioner;
import dev.parley.testkit.CassandraNodeExtension;
import dev.parley.testkit.RedisServerExtension;
import dev.parley.testkit.SingleNodeKafka;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Kafka gone under a running edge: a send is answered with an error frame, never dropped silently. */
@ExtendWith({RedisServerExtension.class, CassandraNodeExtension.class})
class EdgeKafkaOutageIT {

    @Test
    void shouldAnswerASendKafkaDidNotAcceptWithAnErrorFrame() throws Exception {
        SingleNodeKafka kafka = SingleNodeKafka.start();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            new TopicProvisioner(admin, (short) 1, 1, null).provisionCatalogue();
        }
        Map<String, Object> s = new HashMap<>();
        s.put(EdgeSettings.EDGE_ID, "it-outage-" + UUID.randomUUID().toString().substring(0, 6));
        s.put(EdgeSettings.REGISTRATIONS_PER_ADDRESS, 10_000); // every test user registers from 127.0.0.1
        s.put(EdgeSettings.HTTP_HOST, "127.0.0.1");
        s.put(EdgeSettings.HTTP_PORT, 0);
        s.put(EdgeSettings.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        s.put(EdgeSettings.REDIS_URL, RedisServerExtension.url());
        s.put(EdgeSettings.REDIS_KEY_PREFIX, RedisServerExtension.newKeyPrefix());
        s.put(
                EdgeSettings.CASSANDRA_CONTACT_POINT,
                CassandraNodeExtension.host() + ":" + CassandraNodeExtension.port());
        s.put(EdgeSettings.CASSANDRA_KEYSPACE, CassandraNodeExtension.newMigratedKeyspace());
        s.put(EdgeSettings.JWT_SECRET, "it-secret-it-secret-it-secret-it-secret");
        EdgeMain.RunningEdge edge = EdgeMain.start(new EdgeSettings(s));
        try (TestClient alice = TestClient.register(
                        edge.port(), "alice" + UUID.randomUUID().toString().substring(0, 6))
                .connect(edge.port())) {
            kafka.close();
            alice.send("{\"type\":\"send\",\"id\":\"lost?\",\"conversation_id\":\"d_x\",\"body\":\"hello\"}");
            JsonNode error = alice.awaitType("error", "lost?");
            assertThat(error.get("code").asText()).isEqualTo("unavailable");
            assertThat(error.get("message").asText()).contains("retry with the same id");
        } finally {
            edge.close();
        }
    }
}
