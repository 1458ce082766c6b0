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
    void shouldBoundTheQuietSpellOfTheCommandProducer() {
        assertThat(new EdgeSettings(Map.of()).getInt(EdgeSettings.COMMANDS_FLUSH_AFTER_IDLE_MS))
                .isEqualTo(20);
        assertThat(new EdgeSettings(Map.of(EdgeSettings.COMMANDS_FLUSH_AFTER_IDLE_MS, "0"))
                        .getInt(EdgeSettings.COMMANDS_FLUSH_AFTER_IDLE_MS))
                .isZero();
        assertThat(new EdgeSettings(Map.of(EdgeSettings.COMMANDS_FLUSH_AFTER_IDLE_MS, "1000"))
                        .getInt(EdgeSettings.COMMANDS_FLUSH_AFTER_IDLE_MS))
                .isEqualTo(1000);
        for (String refused : new String[] {"1001", "-1", "ten"}) {
            assertThatThrownBy(() -> new EdgeSettings(Map.of(EdgeSettings.COMMANDS_FLUSH_AFTER_IDLE_MS, refused)))
                    .as(refused)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining(EdgeSettings.COMMANDS_FLUSH_AFTER_IDLE_MS);
        }
    }

    @Test
    void shouldRefuseAShortOrMissingTokenSecret() {
        assertThatThrownBy(() -> new EdgeSettings(Map.of()).jwtSecret())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(EdgeSettings.JWT_SECRET);
        assertThatThrownBy(() -> new EdgeSettings(Map.of(EdgeSettings.JWT_SECRET, "short")).jwtSecret())
                .isInstanceOf(ConfigException.class);
    }

    @Test
    void shouldTakeAnUncompressedP256PointAsTheVapidKeyAndRefuseAnythingElse() {
        byte[] point = new byte[65];
        point[0] = 4;
        String key = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(point);
        assertThat(new EdgeSettings(Map.of(EdgeSettings.WEBPUSH_VAPID_PUBLIC_KEY, key))
                        .getString(EdgeSettings.WEBPUSH_VAPID_PUBLIC_KEY))
                .isEqualTo(key);
        assertThat(new EdgeSettings(Map.of()).getString(EdgeSettings.WEBPUSH_VAPID_PUBLIC_KEY))
                .isEmpty();
        byte[] compressed = new byte[33];
        compressed[0] = 2;
        for (String bad : new String[] {
            "not base64!", key.substring(1), java.util.Base64.getUrlEncoder().encodeToString(compressed)
        }) {
            assertThatThrownBy(() -> new EdgeSettings(Map.of(EdgeSettings.WEBPUSH_VAPID_PUBLIC_KEY, bad)))
                    .as(bad)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining(EdgeSettings.WEBPUSH_VAPID_PUBLIC_KEY);
        }
    }

    @Test
    void shouldAnswerNotFoundForTheVapidKeyWhenWebPushIsOff() {
        dev.parley.edge.http.DeviceEndpoints devices =
                new dev.parley.edge.http.DeviceEndpoints(null, null, null, null, 3, " ");
        assertThatThrownBy(() -> devices.vapidPublicKey(null, null))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.code()).isEqualTo(dev.parley.schema.ErrorCode.NOT_FOUND))
                .hasMessageContaining(EdgeSettings.WEBPUSH_VAPID_PUBLIC_KEY);
    }
}
