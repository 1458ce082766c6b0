package dev.parley.connect.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class PushSinkConfigTest {

    @Test
    void shouldDocumentEveryKeyWithItsDefaultInTheReadme() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        assertThat(readme).contains(dev.parley.schema.ConfigTable.markdown(PushSinkConfig.CONFIG));
    }

    @Test
    void shouldRequireTheDevicesBootstrapAndEnableOnlyConfiguredProviders() {
        assertThatThrownBy(() -> new PushSinkConfig(Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(PushSinkConfig.DEVICES_BOOTSTRAP);
        PushSinkConfig config = new PushSinkConfig(
                Map.of(PushSinkConfig.DEVICES_BOOTSTRAP, "k:9092", PushSinkConfig.APNS_KEY_FILE, "/k.p8"));
        assertThat(config.apnsEnabled()).isTrue();
        assertThat(config.fcmEnabled()).isFalse();
        assertThat(config.webPushEnabled()).isFalse();
    }

    @Test
    void shouldMatchTheShippedConnectorJson() throws IOException {
        String json = Files.readString(Path.of("push-sink.json"));
        assertThat(json).contains(PushSinkConnector.class.getName(), "parley.push.v1", "parley.deadletter.v1");
        for (String key : PushSinkConfig.CONFIG.names()) {
            if (!key.startsWith("push.")
                    && !key.equals(PushSinkConfig.APNS_PORT)
                    && !key.equals(PushSinkConfig.APNS_TRUST_CERT_FILE)
                    && !key.equals(PushSinkConfig.FCM_ENDPOINT)) {
                assertThat(json).as(key).contains("\"" + key + "\"");
            }
        }
    }
}
