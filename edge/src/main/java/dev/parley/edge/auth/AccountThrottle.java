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

    /**
     * Before a login is verified: counts it as failed until {@link #loginSucceeded} says otherwise,
     * so logins sent in parallel cannot all pass the limit before any of them failed. {@code
     * username} is normalised, or null if it cannot be one.
     *
     * @throws dev.parley.edge.ApiException {@code rate_limited} over either limit (then nothing is counted)
     */
    public void beginLogin(String username, String address) {
        String addressKey = keys.loginFailuresOfAddress(address);
        perAddress.count(addressKey);
        if (username != null) {
            try {
                perAccount.count(keys.loginFailuresOfAccount(username));
            } catch (RuntimeException refused) {
                perAddress.release(addressKey);
                throw refused;
            }
        }
    }

    /**
     * The password was right: the address's attempt is given back, and the account's earlier wrong
     * guesses no longer count against it. A login that failed needs no call: it is counted already.
     */
    public void loginSucceeded(String username, String address) {
        perAddress.release(keys.loginFailuresOfAddress(address));
        perAccount.reset(keys.loginFailuresOfAccount(username));
    }

    /** Counts a registration attempt, refusing it over the limit. */
    public void register(String address) {
        registrations.count(keys.registrationsOfAddress(address));
    }
}
