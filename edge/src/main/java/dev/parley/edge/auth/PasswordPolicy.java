package dev.parley.edge.auth;

import dev.parley.edge.ApiException;
import dev.parley.schema.ErrorCode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * What a new password must be: at least {@code minChars} characters (code points), at most
 * {@code maxBytes} in UTF-8, not the username or containing it (any case), and not one of the common
 * passwords in {@code common-passwords.txt} (any case), which are the first ones tried in a guessing
 * attack. Refusals are {@code bad_request} with a message that says which rule.
 */
public final class PasswordPolicy {

    private final int minChars;
    private final int maxBytes;
    private final Set<String> common;

    public PasswordPolicy(int minChars, int maxBytes) {
        this.minChars = minChars;
        this.maxBytes = maxBytes;
        this.common = commonPasswords();
    }

    /** Checks a new password of {@code username} (normalised). */
    public void checkNew(String username, String password) {
        checkLength(password);
        int chars = password.codePointCount(0, password.length());
        if (chars < minChars) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "password must be at least " + minChars + " characters");
        }
        String folded = password.toLowerCase(Locale.ROOT);
        if (folded.contains(username)) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "password must not contain the username");
        }
        if (common.contains(folded)) {
            throw new ApiException(
                    ErrorCode.BAD_REQUEST, "password is one of the most common passwords; choose another");
        }
    }

    /** Checks only the length bound, for logins: a longer password cannot be anyone's. */
    public void checkLength(String password) {
        if (password.getBytes(StandardCharsets.UTF_8).length > maxBytes) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "password is longer than " + maxBytes + " bytes (UTF-8)");
        }
    }

    /** How many common passwords are refused (the list's size). */
    public int commonCount() {
        return common.size();
    }

    private static Set<String> commonPasswords() {
        Set<String> out = new HashSet<>();
        try (InputStream in = PasswordPolicy.class.getResourceAsStream("/dev/parley/edge/common-passwords.txt");
                BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                String entry = line.strip();
                if (!entry.isEmpty() && !entry.startsWith("#")) {
                    out.add(entry.toLowerCase(Locale.ROOT));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
