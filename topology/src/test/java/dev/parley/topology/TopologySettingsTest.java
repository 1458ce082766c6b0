package dev.parley.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.schema.ConfigSources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class TopologySettingsTest {

    @Test
    void shouldDefaultToExactlyOnceWithShortCommitsAndLingerUpToTheCommit() {
        Properties p = new TopologySettings(Map.of()).streamsProperties();
        assertThat(p.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)).isEqualTo(StreamsConfig.EXACTLY_ONCE_V2);
        assertThat(p.get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)).isEqualTo(50L);
        // a commit flushes the producer, so lingering as long as the commit interval adds no latency
        assertThat(p.get(StreamsConfig.producerPrefix("linger.ms"))).isEqualTo(50);
        Properties fast = new TopologySettings(Map.of(TopologySettings.COMMIT_INTERVAL_MS, "20")).streamsProperties();
        assertThat(fast.get(StreamsConfig.producerPrefix("linger.ms"))).isEqualTo(20);
        // a thread blocked in poll does not commit: at low traffic it must wake well within the interval
        assertThat((Long) p.get(StreamsConfig.POLL_MS_CONFIG)).isLessThanOrEqualTo(10L);
        assertThat(new TopologySettings(Map.of())
                        .notificationStreamsProperties()
                        .get(StreamsConfig.POLL_MS_CONFIG))
                .as("pushes are not that urgent")
                .isEqualTo(100L);
        assertThat(p.get(StreamsConfig.STATE_DIR_CONFIG).toString()).doesNotStartWith("/tmp");
    }

    @Test
    void shouldTakeRulesFromEnvironmentVariables() {
        Map<String, Object> values = ConfigSources.gather(
                TopologySettings.CONFIG.names(),
                null,
                Map.of("PARLEY_MAX_GROUP_MEMBERS", "50", "PARLEY_DEDUP_WINDOW_MS", "60000", "PARLEY_UNRELATED", "x"),
                Map.of());
        TopologyConfig config = new TopologySettings(values).topologyConfig();
        assertThat(config.maxGroupMembers()).isEqualTo(50);
        assertThat(config.dedupWindow()).isEqualTo(Duration.ofMinutes(1));
        assertThat(values).doesNotContainKey("unrelated");
    }

    @Test
    void shouldRefuseOutOfRangeValuesWithTheKeyInTheMessage() {
        assertThatThrownBy(() -> new TopologySettings(Map.of(TopologySettings.MAX_GROUP_MEMBERS, "1")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(TopologySettings.MAX_GROUP_MEMBERS);
    }

    @Test
    void shouldDocumentEverySettingInTheReadme() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        assertThat(readme).contains(dev.parley.schema.ConfigTable.markdown(TopologySettings.CONFIG));
    }
}
