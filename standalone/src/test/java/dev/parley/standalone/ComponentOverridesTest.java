package dev.parley.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.edge.EdgeSettings;
import dev.parley.topology.TopologySettings;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ComponentOverridesTest {

    @Test
    void shouldTuneTheEmbeddedTopologyFromTheEnvironmentButNeverItsWiring() {
        ConversationTopologyComponent topology = new ConversationTopologyComponent(
                Path.of("data/streams"),
                "127.0.0.1:9092",
                "redis://127.0.0.1:6379",
                3,
                9464,
                Map.of(
                        "PARLEY_TOPOLOGY_COMMIT_INTERVAL_MS", "20",
                        "PARLEY_TOPOLOGY_NUM_STREAM_THREADS", "2",
                        "PARLEY_TOPOLOGY_BOOTSTRAP_SERVERS", "elsewhere:9092",
                        "PARLEY_TOPOLOGY_STATE_DIR", "/tmp/elsewhere",
                        // the plain name is the topology process's own, not the embedded one's
                        "PARLEY_POLL_MS", "1"));

        TopologySettings settings = topology.settings();

        assertThat(settings.getLong(TopologySettings.COMMIT_INTERVAL_MS)).isEqualTo(20L);
        assertThat(settings.getInt(TopologySettings.STREAM_THREADS)).isEqualTo(2);
        assertThat(settings.getString(TopologySettings.BOOTSTRAP_SERVERS)).isEqualTo("127.0.0.1:9092");
        assertThat(settings.getString(TopologySettings.STATE_DIR)).isEqualTo("data/streams");
        assertThat(settings.getLong(TopologySettings.POLL_MS)).isEqualTo(10L);
    }

    @Test
    void shouldKeepTheEmbeddedDefaultsWithoutAnOverride() {
        TopologySettings settings = new ConversationTopologyComponent(
                        Path.of("data/streams"), "127.0.0.1:9092", "redis://127.0.0.1:6379", 3, 9464, Map.of())
                .settings();

        // one stream thread per partition, as before overrides existed
        assertThat(settings.getInt(TopologySettings.STREAM_THREADS)).isEqualTo(3);
        assertThat(settings.getLong(TopologySettings.COMMIT_INTERVAL_MS))
                .isEqualTo(TopologySettings.CONFIG.defaultValues().get(TopologySettings.COMMIT_INTERVAL_MS));
    }

    @Test
    void shouldTuneTheEmbeddedEdgeFromTheEnvironmentButNeverItsWiring() {
        EdgeComponent edge = new EdgeComponent(
                Path.of("data/edge"),
                8080,
                "127.0.0.1:9092",
                "redis://127.0.0.1:6379",
                "127.0.0.1:9042",
                "http://127.0.0.1:9200",
                Map.of(),
                Map.of(
                        "PARLEY_EDGE_COMMANDS_LINGER_MS", "1",
                        "PARLEY_EDGE_HTTP_PORT", "1234",
                        "PARLEY_EDGE_JWT_SECRET", "guessable"));

        Map<String, Object> settings = edge.settings();

        assertThat(settings).containsEntry(EdgeSettings.COMMANDS_LINGER_MS, "1");
        assertThat(settings).containsEntry(EdgeSettings.HTTP_PORT, 8080);
        assertThat(settings).doesNotContainKey(EdgeSettings.JWT_SECRET);
    }
}
