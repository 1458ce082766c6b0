package dev.parley.edge.http;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.edge.ApiException;
import dev.parley.edge.EdgeSettings;
import dev.parley.schema.ErrorCode;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WebPushEndpointPolicyTest {

    private final EdgeSettings defaults = new EdgeSettings(Map.of());
    private final WebPushEndpointPolicy policy = new WebPushEndpointPolicy(
            defaults.getList(EdgeSettings.WEBPUSH_ALLOWED_HOSTS),
            defaults.getInt(EdgeSettings.WEBPUSH_MAX_ENDPOINT_CHARS));

    @ParameterizedTest
    @ValueSource(
            strings = {
                "https://fcm.googleapis.com/fcm/send/cXl2ZT2u8Yw:APA91bHqr0lW2fR8b",
                "https://updates.push.services.mozilla.com/wpush/v2/gAAAAABk",
                "https://web.push.apple.com/QGuQyavXutnMHTtH0bE2",
                "https://api.push.apple.com/3/device/abc",
                "https://wns2-par02p.notify.windows.com/w/?token=BQYAAAB",
                "https://FCM.googleapis.com:443/fcm/send/abc"
            })
    void shouldAcceptTheRealPushServices(String endpoint) {
        assertThatCode(() -> policy.check(endpoint)).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "http://127.0.0.1:8083/connectors",
                "https://169.254.169.254/latest/meta-data/",
                "https://127.0.0.1/",
                "https://[::1]/",
                "https://2852039166/", // 169.254.169.254 as one number
                "file:///etc/passwd",
                "http://fcm.googleapis.com/fcm/send/abc",
                "https://user@fcm.googleapis.com/fcm/send/abc",
                "https://user:pw@fcm.googleapis.com/fcm/send/abc",
                "https://fcm.googleapis.com:8443/fcm/send/abc",
                "https://evil.example/fcm/send/abc",
                "https://fcm.googleapis.com.evil.example/x",
                "https://evilfcm.googleapis.com/x",
                "https://push.apple.com/x", // *.push.apple.com means subdomains only
                "https://evil.com#@fcm.googleapis.com/",
                "gopher://fcm.googleapis.com/",
                "/fcm/send/abc",
                "not a url at all",
                "https:///path-only"
            })
    void shouldRefuseEndpointsThatAimThePushSinkElsewhere(String endpoint) {
        assertThatThrownBy(() -> policy.check(endpoint))
                .isInstanceOfSatisfying(ApiException.class, e -> org.assertj.core.api.Assertions.assertThat(e.code())
                        .isEqualTo(ErrorCode.BAD_REQUEST));
    }

    @ParameterizedTest
    @ValueSource(ints = {1024, 1025})
    void shouldBoundTheEndpointLength(int length) {
        String prefix = "https://fcm.googleapis.com/fcm/send/";
        String endpoint = prefix + "a".repeat(length - prefix.length());
        if (length <= 1024) {
            assertThatCode(() -> policy.check(endpoint)).doesNotThrowAnyException();
        } else {
            assertThatThrownBy(() -> policy.check(endpoint)).hasMessageContaining("longer than 1024");
        }
    }
}
