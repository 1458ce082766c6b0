package dev.parley.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.schema.ConfigSources;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StandaloneSettingsTest {

    @Test
    void shouldDocumentEveryVariableWithItsDefaultInTheReadme() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        StandaloneSettings.CONFIG.defaultValues().forEach((key, def) -> assertThat(readme)
                .as("README lists %s", key)
                .contains("| `" + ConfigSources.envName(key) + "` | `" + def + "` |"));
    }

    @Test
    void shouldKeepTheTokenSigningSecretOwnerOnlyAndStableAcrossStarts() throws IOException {
        Path dir = Files.createTempDirectory("parley-edge");
        String first = EdgeComponent.signingSecret(dir);
        Path file = dir.resolve("jwt.secret");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
        assertThat(Base64.getDecoder().decode(first)).hasSize(48);
        // a secret left world-readable by an older release is narrowed, not replaced
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(EdgeComponent.signingSecret(dir)).isEqualTo(first);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
        try (var left = Files.list(dir)) {
            assertThat(left).containsExactly(file);
        }
    }

    @Test
    void shouldRefuseAPortInUseNamingTheVariableToChange() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            StandaloneSettings settings = new StandaloneSettings(Map.of(
                    StandaloneSettings.DATA_DIR,
                            Files.createTempDirectory("parley-pre").toString(),
                    StandaloneSettings.REDIS_PORT, taken.getLocalPort()));
            assertThat(Preflight.isFree(taken.getLocalPort())).isFalse();
            assertThatThrownBy(() -> Preflight.check(settings))
                    .isInstanceOf(StartupException.class)
                    .hasMessageContaining("port " + taken.getLocalPort())
                    .hasMessageContaining("PARLEY_REDIS_PORT");
        }
    }

    @Test
    void shouldExplainAMissingCassandraBuild() {
        assertThatThrownBy(() ->
                        dev.parley.cassandra.CassandraNode.classpathFrom(Path.of("no", "such", "cassandra.classpath")))
                .isInstanceOf(dev.parley.cassandra.CassandraNodeException.class)
                .hasMessageContaining("./mvnw");
    }
}
