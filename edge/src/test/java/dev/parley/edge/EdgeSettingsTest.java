package dev.parley.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class EdgeSettingsTest {

    @Test
    void shouldDocumentEverySettingWithItsDefaultInTheReadme() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        assertThat(readme).contains(dev.parley.schema.ConfigTable.markdown(EdgeSettings.CONFIG));
    }

    @Test
    void shouldRefuseAShortOrMissingTokenSecret() {
        assertThatThrownBy(() -> new EdgeSettings(Map.of()).jwtSecret())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(EdgeSettings.JWT_SECRET);
        assertThatThrownBy(() -> new EdgeSettings(Map.of(EdgeSettings.JWT_SECRET, "short")).jwtSecret())
                .isInstanceOf(ConfigException.class);
    }
}
