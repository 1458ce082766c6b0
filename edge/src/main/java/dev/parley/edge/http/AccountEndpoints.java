package dev.parley.edge.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.edge.ApiException;
import dev.parley.edge.auth.AccountStore;
import dev.parley.edge.auth.AccountThrottle;
import dev.parley.edge.auth.CredentialCheck;
import dev.parley.edge.auth.PasswordHasher;
import dev.parley.edge.auth.PasswordPolicy;
import dev.parley.edge.auth.TokenService;
import dev.parley.edge.auth.Usernames;
import dev.parley.schema.ErrorCode;
import io.undertow.server.HttpServerExchange;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * {@code POST /v1/users} and {@code POST /v1/tokens}: the built-in accounts of the embedded default.
 * Usernames are normalised ({@link Usernames}), new passwords checked by the {@link PasswordPolicy},
 * logins and registrations limited by the {@link AccountThrottle} (429 with Retry-After), and a
 * login for an unknown name costs the same bcrypt as one for a known name ({@link CredentialCheck}).
 */
public final class AccountEndpoints {

    private static final int MAX_DISPLAY_NAME = 64;
    /** How long after a sign-up the same name and password are taken as its retry. */
    static final Duration SIGN_UP_RETRY_WINDOW = Duration.ofMinutes(10);

    private final AccountStore accounts;
    private final PasswordHasher hasher;
    private final CredentialCheck credentials;
    private final PasswordPolicy policy;
    private final AccountThrottle throttle;
    private final ClientAddresses addresses;
    private final TokenService tokens;
    private final JsonExchange io;

    public AccountEndpoints(
            AccountStore accounts,
            PasswordHasher hasher,
            PasswordPolicy policy,
            AccountThrottle throttle,
            ClientAddresses addresses,
            TokenService tokens,
            JsonExchange io) {
        this.accounts = accounts;
        this.hasher = hasher;
        this.credentials = new CredentialCheck(hasher);
        this.policy = policy;
        this.throttle = throttle;
        this.addresses = addresses;
        this.tokens = tokens;
        this.io = io;
    }

    public void createUser(HttpServerExchange exchange, String unused) {
        JsonNode body = io.readObject(exchange);
        String typed = JsonExchange.requiredText(body, "username");
        String password = JsonExchange.requiredText(body, "password");
        String displayName = JsonExchange.optionalName(body, "display_name");
        String username =
                Usernames.normalise(typed).orElseThrow(() -> new ApiException(ErrorCode.BAD_REQUEST, Usernames.rule()));
        policy.checkNew(username, password);
        if (displayName != null && displayName.length() > MAX_DISPLAY_NAME) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "display_name is longer than 64 characters");
        }
        // counted once the request is valid: a typo in a password does not use up the address's quota,
        // while every probe of whether a name is taken (409) does
        String address = addresses.of(exchange);
        throttle.register(address);
        AccountStore.Account account = accounts.create(username, typed, hasher.hash(password), displayName)
                .or(() -> signedUpBefore(username, password, address))
                .orElseThrow(() -> new ApiException(ErrorCode.CONFLICT, "username is taken"));
        io.send(
                exchange,
                201,
                io.json().createObjectNode().put("user_id", account.userId()).put("username", account.username()));
    }

    /**
     * The account an earlier sign-up of {@code username} with this {@code password} made, within
     * {@link #SIGN_UP_RETRY_WINDOW} of it: a sign-up retried after its name claim was applied but the
     * answer lost (a 503, a dropped connection, a second click) gets the first one's 201 instead of
     * 409. It is a login by another door, so it is limited as one: refused while failed logins lock
     * the account or the address out, and a wrong password is a failed login. Every taken name costs
     * the same bcrypt, recent or not, so the answer's time does not tell an account's age.
     */
    private Optional<AccountStore.Account> signedUpBefore(String username, String password, String address) {
        Optional<AccountStore.Claim> claim = accounts.findClaim(username);
        if (claim.isEmpty()
                || claim.get().claimedAt() == null
                || claim.get().claimedAt().isBefore(Instant.now().minus(SIGN_UP_RETRY_WINDOW))) {
            credentials.verify(Optional.empty(), password);
            return Optional.empty();
        }
        throttle.beginLogin(username, address);
        Optional<AccountStore.Account> account = credentials
                .verify(claim.map(AccountStore.Claim::account), password)
                // a whole account only: the user row holds the spelling the first sign-up typed
                .flatMap(found -> accounts.profiles(List.of(found.userId())).stream()
                        .findFirst()
                        .map(p -> new AccountStore.Account(
                                found.userId(), p.username(), found.passwordHash(), found.displayName())));
        if (account.isPresent()) {
            throttle.loginSucceeded(username, address);
        }
        return account;
    }

    public void createToken(HttpServerExchange exchange, String unused) {
        JsonNode body = io.readObject(exchange);
        String typed = JsonExchange.requiredText(body, "username");
        String password = JsonExchange.requiredText(body, "password");
        policy.checkLength(password);
        String address = addresses.of(exchange);
        String username = Usernames.normalise(typed).orElse(null);
        throttle.beginLogin(username, address);
        Optional<AccountStore.Account> found = Optional.empty();
        if (username != null) {
            found = accounts.findByName(username);
            if (found.isEmpty() && !username.equals(typed)) {
                found = accounts.findByName(typed); // an old account whose normalised name was taken
            }
        }
        AccountStore.Account account = credentials.verify(found, password).orElse(null);
        if (account == null) {
            throw new ApiException(ErrorCode.UNAUTHORIZED, "wrong username or password");
        }
        throttle.loginSucceeded(username, address);
        io.send(
                exchange,
                200,
                io.json()
                        .createObjectNode()
                        .put("access_token", tokens.issue(account.userId(), account.displayName()))
                        .put("token_type", "Bearer")
                        .put("expires_in", tokens.ttl().toSeconds())
                        .put("user_id", account.userId()));
    }
}
