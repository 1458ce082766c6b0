package dev.parley.edge.auth;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Built-in accounts of the embedded default, in Cassandra: {@code users_by_name} (the unique
 * username, claimed with a lightweight transaction) and {@code users} (DESIGN section 4).
 *
 * <p>{@code users_by_name} is keyed by the normalised username ({@link Usernames}); {@code users}
 * keeps the name as it was typed, for display. Accounts made before names were normalised were keyed
 * as typed ({@code Alice}): at start-up each is moved to its normalised key (a scan of the table,
 * fine for the embedded default's accounts; an operator with many users uses their own identity
 * provider). If the normalised key is already taken (both {@code Alice} and {@code alice} existed),
 * the old row stays and still logs in with its exact spelling.
 */
public final class AccountStore {

    private static final String BUILT_IN_PREFIX = "u_";

    private static final Logger log = LoggerFactory.getLogger(AccountStore.class);

    /** What others may see of a user: the name as typed and the display name. */
    public record Profile(String userId, String username, String displayName) {}

    public record Account(String userId, String username, String passwordHash, String displayName) {}

    /** A claimed name: its account and when it was claimed (null for a row older than the column). */
    public record Claim(Account account, Instant claimedAt) {}

    private final CqlSession session;
    private final PreparedStatement claimName;
    private final PreparedStatement insertUser;
    private final PreparedStatement deleteUser;
    private final PreparedStatement byName;
    private final PreparedStatement byId;
    private final PreparedStatement profile;

    /** The tables come from the migrate step (schemas/src/main/resources/cql). */
    public AccountStore(CqlSession session) {
        this.session = session;
        claimName = session.prepare("INSERT INTO users_by_name (username, user_id, password_hash, display_name,"
                + " created_at) VALUES (?, ?, ?, ?, ?) IF NOT EXISTS");
        insertUser =
                session.prepare("INSERT INTO users (user_id, username, display_name, created_at) VALUES (?, ?, ?, ?)");
        deleteUser = session.prepare("DELETE FROM users WHERE user_id = ?");
        byName = session.prepare(
                "SELECT user_id, password_hash, display_name, created_at FROM users_by_name WHERE username = ?");
        byId = session.prepare("SELECT username FROM users WHERE user_id = ?");
        profile = session.prepare("SELECT username, display_name FROM users WHERE user_id = ?");
        normaliseLegacyNames();
    }

    /** Built-in ids are {@code u_} and 32 hex digits; external issuers' subjects may not take this form. */
    public static boolean isBuiltInId(String userId) {
        return userId != null && userId.startsWith(BUILT_IN_PREFIX);
    }

    /**
     * Creates the account under {@code key} (the normalised username), or returns empty if it is taken.
     *
     * @param typed the username as the user typed it, kept for display
     */
    public Optional<Account> create(String key, String typed, String passwordHash, String displayName) {
        String userId = BUILT_IN_PREFIX + UUID.randomUUID().toString().replace("-", "");
        Instant now = Instant.now();
        // the user row first, the name claim last: a sign-up that fails half way (503, the client
        // retries) leaves either nothing that counts or a whole account it can sign in to, never a
        // claimed name without its user (a claim that timed out after Cassandra applied it included)
        session.execute(insertUser.bind(userId, typed, displayName, now));
        boolean claimed = session.execute(claimName.bind(key, userId, passwordHash, displayName, now))
                .wasApplied();
        if (!claimed) {
            session.execute(deleteUser.bind(userId));
            return Optional.empty();
        }
        return Optional.of(new Account(userId, typed, passwordHash, displayName));
    }

    /** The account under {@code key} (a normalised username, or an old row's exact spelling). */
    public Optional<Account> findByName(String key) {
        return findClaim(key).map(Claim::account);
    }

    /** The account under {@code key} and when its name was claimed, in one read. */
    public Optional<Claim> findClaim(String key) {
        Row row = session.execute(byName.bind(key)).one();
        return row == null
                ? Optional.empty()
                : Optional.of(new Claim(
                        new Account(row.getString(0), key, row.getString(1), row.getString(2)), row.getInstant(3)));
    }

    /** The profiles of {@code userIds} that exist, in the order given (one async read each). */
    public List<Profile> profiles(List<String> userIds) {
        List<CompletableFuture<Optional<Profile>>> reads = new ArrayList<>();
        for (String id : userIds) {
            reads.add(session.executeAsync(profile.bind(id))
                    .thenApply(rs -> Optional.ofNullable(rs.one())
                            .map(row -> new Profile(id, row.getString(0), row.getString(1))))
                    .toCompletableFuture());
        }
        List<Profile> out = new ArrayList<>();
        reads.forEach(read -> read.join().ifPresent(out::add));
        return out;
    }

    public boolean exists(String userId) {
        return session.execute(byId.bind(userId)).one() != null;
    }

    private void normaliseLegacyNames() {
        int moved = 0;
        for (Row row : session.execute(
                "SELECT username, user_id, password_hash, display_name, created_at FROM users_by_name")) {
            String typed = row.getString(0);
            Optional<String> key = Usernames.normalise(typed);
            if (key.isEmpty() || key.get().equals(typed)) {
                continue;
            }
            Row claim = session.execute(claimName.bind(
                            key.get(), row.getString(1), row.getString(2), row.getString(3), row.getInstant(4)))
                    .one();
            // not applied but holding the same user id: another edge moved it first
            if (claim.getBoolean("[applied]") || row.getString(1).equals(claim.getString("user_id"))) {
                session.execute("DELETE FROM users_by_name WHERE username = ?", typed);
                moved++;
            } else {
                log.warn(
                        "account {} keeps its exact spelling: {} belongs to another account",
                        row.getString(1),
                        key.get());
            }
        }
        if (moved > 0) {
            log.info("moved {} accounts to their normalised usernames", moved);
        }
    }
}
