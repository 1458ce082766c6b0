package dev.parley.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class CqlMigrationsTest {

    @Test
    void shouldListEveryMigrationFileInVersionOrder() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("src/main/resources/cql"))) {
            List<String> onDisk =
                    files.map(p -> p.getFileName().toString()).sorted().toList();
            assertThat(CqlMigrations.FILES).isEqualTo(onDisk); // a new file not listed is never applied
        }
        assertThat(CqlMigrations.all())
                .extracting(CqlMigrations.Migration::version)
                .containsExactly(1, 2, 3, 6, 7); // 4 and 5 were never released; 8 and 9 are other branches' numbers
        assertThat(CqlMigrations.LATEST)
                .isEqualTo(
                        CqlMigrations.all().get(CqlMigrations.FILES.size() - 1).version());
    }

    @Test
    void shouldSplitStatementsAndQualifyTablesWithTheKeyspace() {
        List<String> statements = CqlMigrations.all().get(0).statements("ks");
        assertThat(statements).hasSize(10).allSatisfy(s -> assertThat(s)
                .startsWith("CREATE TABLE IF NOT EXISTS ks.")
                .doesNotContain(";", "--", "${keyspace}", "\n"));
        assertThat(statements.get(0))
                .isEqualTo("CREATE TABLE IF NOT EXISTS ks.messages (conversation_id text, bucket bigint, seq bigint,"
                        + " message_id bigint, sender text, client_msg_id text, body text, media list<text>,"
                        + " reply_to bigint, created_at timestamp, edited boolean, deleted boolean,"
                        + " PRIMARY KEY ((conversation_id, bucket), seq)) WITH CLUSTERING ORDER BY (seq DESC)");
    }
}
