package dev.parley.edge.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.edge.ApiException;
import dev.parley.edge.auth.AccountStore;
import dev.parley.edge.auth.PasswordHasher;
import dev.parley.edge.auth.TokenService;
import dev.parley.schema.ErrorCode;
import io.undertow.server.HttpServerExchange;
import java.util.regex.Pattern;

/** {@code POST /v1/users} and {@code POST /v1/tokens}: the built-in accounts of the embedded default. */
public final class AccountEndpoints {

    private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9_.-]{3,32}");
    private static final int MIN_PASSWORD = 8;
    private static final int MAX_PASSWORD = 128;

    private final AccountStore accounts;
    private final PasswordHasher hasher;
    private final TokenService tokens;
    private final JsonExchange io;

    public AccountEndpoints(AccountStore accounts, PasswordHasher hasher, TokenService tokens, JsonExchange io) {
        this.accounts = accounts;
        this.hasher = hasher;
        this.tokens = tokens;
        this.io = io;
    }

    public void createUser(HttpServerExchange exchange, String unused) {
        JsonNode body = io.readObject(exchange);
        String username = JsonExchange.requiredText(body, "username");
        String password = JsonExchange.requiredText(body, "password");
        String displayName = JsonExchange.optionalText(body, "display_name");
        if (!USERNAME.matcher(username).matches()) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "username must be 3 to 32 of A-Z a-z 0-9 _ . -");
        }
        if (password.length() < MIN_PASSWORD || password.length() > MAX_PASSWORD) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "password must be 8 to 128 characters");
        }
        if (displayName != null && displayName.length() > 64) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "display_name is longer than 64 characters");
        }
        AccountStore.Account account = accounts.create(username, hasher.hash(password), displayName)
                .orElseThrow(() -> new ApiException(ErrorCode.CONFLICT, "username is taken"));
        io.send(
                exchange,
                201,
                io.json().createObjectNode().put("user_id", account.userId()).put("username", account.username()));
    }

    public void createToken(HttpServerExchange exchange, String unused) {
        JsonNode body = io.readObject(exchange);
        String username = JsonExchange.requiredText(body, "username");
        String password = JsonExchange.requiredText(body, "password");
        AccountStore.Account account = accounts.findByName(username)
                .filter(a -> hasher.matches(password, a.passwordHash()))
                .orElseThrow(() -> new ApiException(ErrorCode.UNAUTHORIZED, "wrong username or password"));
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
