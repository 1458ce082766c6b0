package dev.parley.connect.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class OpenSearchSinkConfigTest {

    @Test
    void shouldDocumentEveryKeyWithItsDefaultInTheReadme() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        assertThat(readme).contains(dev.parley.schema.ConfigTable.markdown(OpenSearchSinkConfig.CONFIG));
    }

    @Test
    void shouldRefuseABulkOverTheServersContentLimit() {
        assertThatThrownBy(() -> new OpenSearchSinkConfig(
                        Map.of(OpenSearchSinkConfig.BULK_MAX_BYTES, Integer.toString(200 * 1024 * 1024))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(OpenSearchSinkConfig.BULK_MAX_BYTES);
    }

    @Test
    void shouldMatchTheShippedConnectorJson() throws IOException {
        String json = Files.readString(Path.of("search-sink.json"));
        assertThat(json).contains(OpenSearchSinkConnector.class.getName(), "parley.events.v1");
        for (String key : new String[] {OpenSearchSinkConfig.URLS, OpenSearchSinkConfig.INDEX}) {
            assertThat(json).contains("\"" + key + "\"");
        }
        new OpenSearchSinkConnector().validate(Map.of(OpenSearchSinkConfig.INDEX, "parley-messages"));
    }
}
