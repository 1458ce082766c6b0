package dev.parley.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import dev.parley.testkit.CassandraNodeExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The migrate step on a real Cassandra 5 node: apply, re-run, adopt, refuse an edit, race. */
@ExtendWith(CassandraNodeExtension.class)
class CassandraMigratorIT {

    private static final String RF1 = "{'class': 'SimpleStrategy', 'replication_factor': 1}";

    /** What the processes of builds before migrations ran at start (edge, accounts, devices, sink). */
    private static List<String> ddlBeforeMigrations(String keyspace) {
        String k = keyspace + ".";
        return List.of(
                "CREATE KEYSPACE IF NOT EXISTS " + keyspace + " WITH replication = " + RF1,
                "CREATE TABLE IF NOT EXISTS " + k + "messages (conversation_id text, bucket bigint, seq bigint,"
                        + " message_id bigint, sender text, client_msg_id text, body text, media list<text>,"
                        + " reply_to bigint, created_at timestamp, edited boolean, deleted boolean,"
                        + " PRIMARY KEY ((conversation_id, bucket), seq)) WITH CLUSTERING ORDER BY (seq DESC)",
                "CREATE TABLE IF NOT EXISTS " + k + "conversations (conversation_id text PRIMARY KEY, type text,"
                        + " name text, creator text, created_at timestamp, last_seq bigint,"
                        + " last_activity timestamp, admins set<text>)",
                "CREATE TABLE IF NOT EXISTS " + k + "conversation_members (conversation_id text, user_id text,"
                        + " joined_at timestamp, PRIMARY KEY ((conversation_id), user_id))",
                "CREATE TABLE IF NOT EXISTS " + k + "conversations_by_user (user_id text, conversation_id text,"
                        + " delivered bigint, read bigint, muted boolean, joined_at timestamp,"
                        + " PRIMARY KEY ((user_id), conversation_id))",
                "CREATE TABLE IF NOT EXISTS " + k + "receipts (conversation_id text, user_id text, delivered bigint,"
                        + " read bigint, PRIMARY KEY ((conversation_id), user_id))",
                "CREATE TABLE IF NOT EXISTS " + k + "reactions (conversation_id text, bucket bigint, seq bigint,"
                        + " user_id text, emoji text, created_at timestamp,"
                        + " PRIMARY KEY ((conversation_id, bucket), seq, user_id, emoji))",
                "CREATE TABLE IF NOT EXISTS " + k + "users_by_name (username text PRIMARY KEY, user_id text,"
                        + " password_hash text, display_name text, created_at timestamp)",
                "CREATE TABLE IF NOT EXISTS " + k + "users (user_id text PRIMARY KEY, username text,"
                        + " display_name text, created_at timestamp)",
                "CREATE TABLE IF NOT EXISTS " + k + "devices (user_id text, device_id text, platform text,"
                        + " push_token text, endpoint text, p256dh text, auth text, registered_at timestamp,"
                        + " PRIMARY KEY ((user_id), device_id))",
                "CREATE TABLE IF NOT EXISTS " + k + "notification_settings (user_id text PRIMARY KEY,"
                        + " muted set<text>, time_zone text, quiet_start int, quiet_end int, content_free boolean)");
    }

    /** Every column of every table but the migrations' own: name, type, kind, position, order. */
    private static List<String> columns(CqlSession s, String keyspace) {
        List<String> out = new ArrayList<>();
        for (Row r : s.execute(
                "SELECT table_name, column_name, type, kind, position, clustering_order"
                        + " FROM system_schema.columns WHERE keyspace_name = ?",
                keyspace)) {
            if (!r.getString(0).startsWith(CassandraMigrator.MIGRATIONS_TABLE)) {
                out.add(r.getString(0) + "." + r.getString(1) + " " + r.getString(2) + " " + r.getString(3) + " "
                        + r.getInt(4) + " " + r.getString(5));
            }
        }
        return out;
    }

    @Test
    void shouldCreateTodaysSchemaOnAnEmptyKeyspaceAndRecordVersion1() throws Exception {
        String migrated = CassandraNodeExtension.newKeyspace();
        String before = CassandraNodeExtension.newKeyspace();
        try (CqlSession s = CassandraNodeExtension.session()) {
            assertThat(new CassandraMigrator(s, migrated, RF1).migrate()).containsExactly(1, 2, 3, 6, 7);
            for (String ddl : ddlBeforeMigrations(before)) {
                s.execute(ddl);
            }
            // version 1 is the schema before migrations; version 2 adds the media tables, 3 the edits', 6 the media
            // releases', 7 the channel directory's
            for (CqlMigrations.Migration later :
                    CqlMigrations.all().subList(1, CqlMigrations.all().size())) {
                for (String ddl : later.statements(before)) {
                    s.execute(ddl);
                }
            }
            assertThat(columns(s, migrated)).hasSize(110).containsExactlyInAnyOrderElementsOf(columns(s, before));
            Row v1 = s.execute("SELECT name, checksum, applied_at FROM " + migrated + ".schema_migrations"
                            + " WHERE version = 1")
                    .one();
            assertThat(v1.getString(0)).isEqualTo("V001__initial.cql");
            assertThat(v1.getString(1)).isEqualTo(CqlMigrations.all().get(0).checksum());
            assertThat(v1.getInstant(2)).isNotNull();
            assertThat(SchemaVersionCheck.recordedVersion(s, migrated)).isEqualTo(CqlMigrations.LATEST);
        }
    }

    @Test
    void shouldApplyNothingOnASecondRun() throws Exception {
        String keyspace = CassandraNodeExtension.newKeyspace();
        try (CqlSession s = CassandraNodeExtension.session()) {
            assertThat(new CassandraMigrator(s, keyspace, RF1).migrate()).containsExactly(1, 2, 3, 6, 7);
            assertThat(new CassandraMigrator(s, keyspace, RF1).migrate()).isEmpty();
            assertThat(s.execute("SELECT COUNT(*) FROM " + keyspace + ".schema_migrations")
                            .one()
                            .getLong(0))
                    .isEqualTo(CqlMigrations.all().size()); // one row per file; versions may skip numbers
        }
    }

    @Test
    void shouldAdoptAKeyspaceMadeBeforeMigrationsWithItsData() throws Exception {
        String keyspace = CassandraNodeExtension.newKeyspace();
        try (CqlSession s = CassandraNodeExtension.session()) {
            for (String ddl : ddlBeforeMigrations(keyspace)) {
                s.execute(ddl);
            }
            s.execute("INSERT INTO " + keyspace + ".users_by_name (username, user_id) VALUES ('alice', 'u_1')");
            assertThat(SchemaVersionCheck.recordedVersion(s, keyspace)).isZero();

            assertThat(new CassandraMigrator(s, keyspace, RF1).migrate()).containsExactly(1, 2, 3, 6, 7);

            assertThat(SchemaVersionCheck.recordedVersion(s, keyspace)).isEqualTo(CqlMigrations.LATEST);
            assertThat(s.execute("SELECT user_id FROM " + keyspace + ".users_by_name WHERE username = 'alice'")
                            .one()
                            .getString(0))
                    .isEqualTo("u_1");
        }
    }

    @Test
    void shouldRefuseAMigrationWhoseFileChangedAfterItWasApplied() throws Exception {
        String keyspace = CassandraNodeExtension.newKeyspace();
        try (CqlSession s = CassandraNodeExtension.session()) {
            new CassandraMigrator(s, keyspace, RF1).migrate();
            // the recorded checksum differs from the file's: what editing V001 after release looks like
            s.execute("UPDATE " + keyspace + ".schema_migrations SET checksum = 'before-the-edit' WHERE version = 1");

            assertThatThrownBy(() -> new CassandraMigrator(s, keyspace, RF1).migrate())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("migration V001__initial.cql was changed after it was applied")
                    .hasMessageContaining("add the change as a new migration");
        }
    }

    @Test
    void shouldApplyEachMigrationOnceWhenTwoRunsRace() throws Exception {
        String keyspace = CassandraNodeExtension.newKeyspace();
        try (CqlSession bootstrap = CassandraNodeExtension.session()) {
            // the keyspace exists (as after an interrupted first run), so the race is on the migrations
            bootstrap.execute("CREATE KEYSPACE " + keyspace + " WITH replication = " + RF1);
        }
        CyclicBarrier start = new CyclicBarrier(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (CqlSession a = CassandraNodeExtension.session();
                CqlSession b = CassandraNodeExtension.session()) {
            List<Future<List<Integer>>> runs = new ArrayList<>();
            for (CqlSession s : List.of(a, b)) {
                runs.add(pool.submit(() -> {
                    start.await(30, TimeUnit.SECONDS);
                    return new CassandraMigrator(s, keyspace, RF1).migrate();
                }));
            }
            List<Integer> applied = new ArrayList<>();
            for (Future<List<Integer>> run : runs) {
                applied.addAll(run.get(120, TimeUnit.SECONDS));
            }
            assertThat(applied).containsExactly(1, 2, 3, 6, 7);
            assertThat(SchemaVersionCheck.recordedVersion(a, keyspace)).isEqualTo(CqlMigrations.LATEST);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void shouldRefuseAProcessStartOnAKeyspaceAtAnOlderVersionWithOneClearLine() {
        String keyspace = CassandraNodeExtension.newKeyspace();
        try (CqlSession s = CassandraNodeExtension.session()) {
            for (String ddl : ddlBeforeMigrations(keyspace)) {
                s.execute(ddl);
            }
            assertThatThrownBy(() -> SchemaVersionCheck.require(s, keyspace))
                    .isInstanceOf(SchemaVersionCheck.SchemaVersionMismatch.class)
                    .hasMessage("Cassandra schema of keyspace " + keyspace + " is at version 0 but this build needs "
                            + CqlMigrations.LATEST + ": run `parley migrate` (README, Upgrades)");
        }
    }

    @Test
    void shouldRefuseAProcessStartOnAKeyspaceNewerThanTheBuild() throws Exception {
        String keyspace = CassandraNodeExtension.newMigratedKeyspace();
        try (CqlSession s = CassandraNodeExtension.session()) {
            SchemaVersionCheck.require(s, keyspace); // at this build's version: starts
            s.execute(
                    "INSERT INTO " + keyspace + ".schema_migrations (version, name) VALUES (?, 'V999__future.cql')",
                    CqlMigrations.LATEST + 1);
            assertThatThrownBy(() -> SchemaVersionCheck.require(s, keyspace))
                    .isInstanceOf(SchemaVersionCheck.SchemaVersionMismatch.class)
                    .hasMessageContaining("this build is older than the schema");
            assertThatThrownBy(() -> new CassandraMigrator(s, keyspace, RF1).migrate())
                    .hasMessageContaining("knows only up to " + CqlMigrations.LATEST);
        }
    }
}
