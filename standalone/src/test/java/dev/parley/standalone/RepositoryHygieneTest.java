package dev.parley.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a fresh clone and a first run rely on: no runtime data or credentials in git, and
 * {@code ./parley up} rebuilding when the sources changed under it (a pull must not leave it
 * running stale jars).
 */
class RepositoryHygieneTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void shouldTrackNoRuntimeDataLogsOrCredentials() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(ROOT.resolve(".git")), "not a git checkout");
        List<String> tracked = run(ROOT, List.of("git", "ls-files")).lines().toList();
        assertThat(tracked).isNotEmpty();
        assertThat(tracked).noneMatch(f -> f.startsWith("data/") || f.contains("/data/"));
        assertThat(tracked).noneMatch(f -> f.endsWith(".log"));
        assertThat(tracked).doesNotContain("deploy/secrets/push.properties");
        assertThat(tracked).contains("deploy/secrets/push.properties.example", ".dockerignore");
        // what a run or a test writes is ignored, so it can never be committed by accident
        String ignored = run(
                ROOT,
                List.of(
                        "git",
                        "check-ignore",
                        "standalone/data/logs/parley.log",
                        "data/kafka/x",
                        "deploy/secrets/push.properties"));
        assertThat(ignored.lines()).hasSize(3);
    }

    @Test
    void shouldKeepBuildOutputDataAndSecretsOutOfTheDockerContext() throws IOException {
        List<String> lines = Files.readAllLines(ROOT.resolve(".dockerignore")).stream()
                .map(String::strip)
                .toList();
        assertThat(lines).contains("**/target/", "**/data/", ".git/", "deploy/secrets/push.properties");
    }

    @Test
    void shouldRebuildWhenASourceIsNewerThanTheLastBuild(@TempDir Path tree) throws Exception {
        Path script = Files.copy(ROOT.resolve("parley"), tree.resolve("parley"));
        script.toFile().setExecutable(true);
        Path jar = Files.createFile(tree.resolve("dep.jar"));
        for (String module : List.of("standalone", "cassandra-node", "search-node")) {
            Files.createDirectories(tree.resolve(module + "/target/classes"));
        }
        Files.writeString(tree.resolve("standalone/target/standalone.classpath"), jar.toString());
        Files.writeString(tree.resolve("cassandra-node/target/cassandra.classpath"), jar.toString());
        Files.writeString(tree.resolve("search-node/target/search.classpath"), jar.toString());
        Path source = tree.resolve("edge/src/main/java/dev/parley/edge/EdgeServer.java");
        Files.createDirectories(source.getParent());
        Files.writeString(source, "class EdgeServer {}");
        Instant built = Instant.now().minusSeconds(60);
        age(source, built.minusSeconds(60));
        age(Files.createFile(tree.resolve("pom.xml")), built.minusSeconds(60));

        assertThat(check(tree)).isEqualTo("stale: not built by ./parley yet");

        age(Files.createFile(tree.resolve("standalone/target/.parley-built")), built);
        assertThat(check(tree)).isEqualTo("up to date");

        // runtime data and build output are not sources
        Path log = tree.resolve("data/logs/parley.log");
        Files.createDirectories(log.getParent());
        age(Files.createFile(log), built.plusSeconds(30));
        age(Files.createFile(tree.resolve("standalone/target/classes/X.class")), built.plusSeconds(30));
        assertThat(check(tree)).isEqualTo("up to date");

        age(source, built.plusSeconds(30));
        assertThat(check(tree))
                .isEqualTo("stale: sources changed since the last build "
                        + "(edge/src/main/java/dev/parley/edge/EdgeServer.java)");

        Files.delete(jar);
        assertThat(check(tree)).isEqualTo("stale: a dependency jar is missing");
    }

    private static void age(Path file, Instant when) throws IOException {
        Files.setLastModifiedTime(file, FileTime.from(when));
    }

    private static String check(Path tree) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", tree.resolve("parley").toString(), "up");
        pb.environment().put("PARLEY_BUILD_CHECK_ONLY", "1");
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    private static String run(Path dir, List<String> command) throws Exception {
        Process p = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return out;
    }
}
