package dev.parley.edge.auth;

import java.text.Normalizer;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The one spelling of a username that accounts are stored and found under: NFKC (so full-width
 * {@code ＶＩＣＴＩＭ} folds to ASCII) then lower case ({@link Locale#ROOT}), so {@code VICTIM} cannot be
 * registered beside {@code victim} and either logs in. What remains must be 3 to 32 of
 * {@code a-z 0-9 _ . -}: no look-alike letters from other scripts, no control or invisible characters.
 */
public final class Usernames {

    private static final Pattern ALLOWED = Pattern.compile("[a-z0-9_.-]{3,32}");
    private static final int MAX_INPUT_CHARS = 256;

    private Usernames() {}

    /** The normalised form of {@code username}, or empty if it is not a possible username. */
    public static Optional<String> normalise(String username) {
        if (username.length() > MAX_INPUT_CHARS) { // bounds the work of normalising garbage
            return Optional.empty();
        }
        String folded = Normalizer.normalize(username, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
        return ALLOWED.matcher(folded).matches() ? Optional.of(folded) : Optional.empty();
    }

    public static String rule() {
        return "username must be 3 to 32 of A-Z a-z 0-9 _ . - (case does not count: Alice and alice are one)";
    }
}
