package dev.parley.edge.auth;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * Built-in accounts of the embedded default, in Cassandra: {@code users_by_name} (the unique
 * username, claimed with a lightweight transaction) and {@code users} (DESIGN section 4).
 */
public final class AccountStore {

    public record Account(String userId, String username, String passwordHash, String displayName) {}

    private final CqlSession session;
    private final PreparedStatement claimName;
    private final PreparedStatement insertUser;
    private final PreparedStatement byName;
    private final PreparedStatement byId;

    public AccountStore(CqlSession session) {
        this.session = session;
        session.execute("CREATE TABLE IF NOT EXISTS users_by_name (username text PRIMARY KEY, user_id text,"
                + " password_hash text, display_name text, created_at timestamp)");
        session.execute("CREATE TABLE IF NOT EXISTS users (user_id text PRIMARY KEY, username text,"
                + " display_name text, created_at timestamp)");
        claimName = session.prepare("INSERT INTO users_by_name (username, user_id, password_hash, display_name,"
                + " created_at) VALUES (?, ?, ?, ?, ?) IF NOT EXISTS");
        insertUser =
                session.prepare("INSERT INTO users (user_id, username, display_name, created_at) VALUES (?, ?, ?, ?)");
        byName = session.prepare("SELECT user_id, password_hash, display_name FROM users_by_name WHERE username = ?");
        byId = session.prepare("SELECT username FROM users WHERE user_id = ?");
    }

    /** Creates the account, or returns empty if the username is taken. */
    public Optional<Account> create(String username, String passwordHash, String displayName) {
        String userId = "u_" + UUID.randomUUID().toString().replace("-", "");
        Instant now = Instant.now();
        boolean claimed = session.execute(claimName.bind(username, userId, passwordHash, displayName, now))
                .wasApplied();
        if (!claimed) {
            return Optional.empty();
        }
        session.execute(insertUser.bind(userId, username, displayName, now));
        return Optional.of(new Account(userId, username, passwordHash, displayName));
    }

    public Optional<Account> findByName(String username) {
        Row row = session.execute(byName.bind(username)).one();
        return row == null
                ? Optional.empty()
                : Optional.of(new Account(row.getString(0), username, row.getString(1), row.getString(2)));
    }

    public boolean exists(String userId) {
        return session.execute(byId.bind(userId)).one() != null;
    }
}
