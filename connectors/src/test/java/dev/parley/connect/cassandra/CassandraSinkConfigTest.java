package dev.parley.connect.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class CassandraSinkConfigTest {

    @Test
    void shouldDocumentEveryKeyWithItsDefaultInTheReadme() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        assertThat(readme).contains(dev.parley.schema.ConfigTable.markdown(CassandraSinkConfig.CONFIG));
    }

    @Test
    void shouldRefuseOutOfRangeConcurrency() {
        assertThatThrownBy(() -> new CassandraSinkConfig(Map.of(CassandraSinkConfig.MAX_IN_FLIGHT, "0")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(CassandraSinkConfig.MAX_IN_FLIGHT);
    }

    @Test
    void shouldMatchTheShippedConnectorJson() throws IOException {
        String json = Files.readString(Path.of("cassandra-sink.json"));
        assertThat(json).contains(CassandraSinkConnector.class.getName(), "parley.events.v1");
        for (String key : new String[] {CassandraSinkConfig.CONTACT_POINTS, CassandraSinkConfig.KEYSPACE}) {
            assertThat(json).contains("\"" + key + "\"");
        }
        new CassandraSinkConnector().validate(Map.of(CassandraSinkConfig.KEYSPACE, "parley"));
    }
}
