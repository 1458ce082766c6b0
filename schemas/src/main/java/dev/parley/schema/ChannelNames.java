package dev.parley.schema;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How a channel's name is found in the {@code channel_directory} table (V007): the one folding both
 * the Cassandra sink (which writes the rows) and the edge (which searches them) use, so the two
 * cannot drift apart. A name's words are its runs of letters and digits, decomposed (NFKD), without
 * combining marks and in lower case ({@link Locale#ROOT}): "Café Crème" has the words "cafe" and
 * "creme". A channel is found by every prefix of one of its words up to {@value #MAX_TERM_CHARS}
 * characters (longer query words are matched against the whole {@link #key}).
 */
public final class ChannelNames {

    /** The longest word prefix stored as a term: a name of 256 characters has at most 257 rows. */
    public static final int MAX_TERM_CHARS = 16;

    /**
     * The term under which every public channel is listed (a search without words): not a word (words
     * are letters and digits), and not empty, which Cassandra refuses as a partition key.
     */
    public static final String ALL = "*";

    private static final Pattern MARKS = Pattern.compile("\\p{M}+");
    private static final Pattern NOT_WORD = Pattern.compile("[^\\p{L}\\p{N}]+");

    private ChannelNames() {}

    /** The folded words of {@code text}, in order, without repeats. */
    public static List<String> words(String text) {
        if (text == null) {
            return List.of();
        }
        String folded = MARKS.matcher(Normalizer.normalize(text, Normalizer.Form.NFKD))
                .replaceAll("")
                .toLowerCase(Locale.ROOT);
        Set<String> out = new LinkedHashSet<>();
        for (String word : NOT_WORD.split(folded)) {
            if (!word.isEmpty()) {
                out.add(word);
            }
        }
        return List.copyOf(out);
    }

    /** The sort key of a name: its folded words joined by single spaces (the directory's order). */
    public static String key(String name) {
        return String.join(" ", words(name));
    }

    /** Every term a channel named {@code name} is stored under: {@link #ALL} and its words' prefixes. */
    public static Set<String> terms(String name) {
        Set<String> out = new LinkedHashSet<>();
        out.add(ALL);
        for (String word : words(name)) {
            int[] cps = word.codePoints().toArray();
            for (int n = 1; n <= Math.min(cps.length, MAX_TERM_CHARS); n++) {
                out.add(new String(cps, 0, n));
            }
        }
        return out;
    }

    /** The term a query's words are looked up under: the longest word's stored prefix, or {@link #ALL}. */
    public static String term(List<String> queryWords) {
        String longest = ALL;
        for (String w : queryWords) {
            if (w.codePointCount(0, w.length()) > longest.codePointCount(0, longest.length())) {
                longest = w;
            }
        }
        int n = longest.codePointCount(0, longest.length());
        return n <= MAX_TERM_CHARS ? longest : longest.substring(0, longest.offsetByCodePoints(0, MAX_TERM_CHARS));
    }

    /** Whether every query word is a prefix of some word of {@code nameKey}. */
    public static boolean matches(String nameKey, List<String> queryWords) {
        List<String> nameWords = new ArrayList<>(List.of(nameKey.split(" ")));
        for (String q : queryWords) {
            if (nameWords.stream().noneMatch(w -> w.startsWith(q))) {
                return false;
            }
        }
        return true;
    }
}
