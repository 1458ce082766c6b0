package dev.parley.edge.auth;

import dev.parley.schema.RedisKeys;
import java.time.Duration;
import redis.clients.jedis.UnifiedJedis;

/**
 * The abuse limits of the account endpoints, in Redis so they hold across edges: wrong passwords per
 * username (from any address), failed logins per client address (over all usernames, more generous:
 * many users may share an address), and registrations per client address. A refusal is
 * {@code rate_limited} (429) with Retry-After.
 *
 * <p>Unknown usernames count too (per address, and per name), so a 429 tells nothing about whether
 * an account exists. A per-username limit lets anyone lock an account out for one window by failing
 * on purpose; the window is short, and the owner's other sessions keep their tokens.
 */
public final class AccountThrottle {

    private final RedisKeys keys;
    private final AttemptLimiter perAccount;
    private final AttemptLimiter perAddress;
    private final AttemptLimiter registrations;

    public AccountThrottle(
            UnifiedJedis redis,
            RedisKeys keys,
            int failuresPerAccount,
            int failuresPerAddress,
            Duration failureWindow,
            int registrationsPerAddress,
            Duration registrationWindow) {
        this.keys = keys;
        this.perAccount =
                new AttemptLimiter(redis, failuresPerAccount, failureWindow, "wrong passwords for this account");
        this.perAddress =
                new AttemptLimiter(redis, failuresPerAddress, failureWindow, "failed logins from this address");
        this.registrations = new AttemptLimiter(
                redis, registrationsPerAddress, registrationWindow, "registrations from this address");
    }

    /** Before a login is verified; {@code username} is normalised, or null if it cannot be one. */
    public void checkLogin(String username, String address) {
        perAddress.check(keys.loginFailuresOfAddress(address));
        if (username != null) {
            perAccount.check(keys.loginFailuresOfAccount(username));
        }
    }

    public void loginFailed(String username, String address) {
        perAddress.count(keys.loginFailuresOfAddress(address));
        if (username != null) {
            perAccount.count(keys.loginFailuresOfAccount(username));
        }
    }

    /** The owner knows the password: earlier wrong guesses no longer count against the account. */
    public void loginSucceeded(String username) {
        perAccount.reset(keys.loginFailuresOfAccount(username));
    }

    /** Counts a registration attempt, refusing it over the limit. */
    public void register(String address) {
        registrations.count(keys.registrationsOfAddress(address));
    }
}
