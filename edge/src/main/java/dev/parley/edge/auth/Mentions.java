package dev.parley.edge.auth;

import dev.parley.edge.ApiException;
import dev.parley.schema.ErrorCode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code @username} tokens of a message body, resolved at send into the user ids the topology keeps
 * on {@code MessagePosted.mentions} (it keeps the members among them and notifies each). Usernames
 * are authoritative here, on the edge (the accounts table, {@link AccountStore}); the topology knows
 * only ids. A token is {@code @} at the start or after a character that cannot be part of a name
 * (so {@code bob@example.com} mentions nobody), then a name of {@link Usernames}' characters; a
 * trailing {@code .} or {@code -} is punctuation ("thanks @alice."). A token naming no account is
 * text, not an error.
 *
 * <p>More than {@code maxMentions} distinct tokens is refused with {@code too_large} before any
 * lookup: silently cutting them would leave a mentioned person un-notified with nobody told.
 * Usernames never change and accounts are never deleted, so a found id is cached for good (at most
 * {@code cacheEntries}, least recently used out); a miss is looked up again next time (the name may
 * be registered since). So a mention costs one Cassandra point read the first time a name is seen
 * on this edge, and nothing after.
 */
public final class Mentions {

    private static final Pattern TOKEN = Pattern.compile("(?<![A-Za-z0-9_.@-])@([A-Za-z0-9_.-]{1,64})");

    private final Function<String, Optional<String>> lookup;
    private final int maxMentions;
    private final Map<String, String> cache;

    /**
     * @param lookup the user id registered under a normalised username, if any
     */
    public Mentions(Function<String, Optional<String>> lookup, int maxMentions, int cacheEntries) {
        this.lookup = lookup;
        this.maxMentions = maxMentions;
        this.cache = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
                return size() > cacheEntries;
            }
        };
    }

    public int max() {
        return maxMentions;
    }

    /** The normalised usernames mentioned in {@code body}, distinct, in order of first mention. */
    public static List<String> names(String body) {
        Set<String> out = new LinkedHashSet<>();
        if (body == null || body.indexOf('@') < 0) {
            return List.of();
        }
        Matcher m = TOKEN.matcher(body);
        while (m.find()) {
            String name = m.group(1).replaceAll("[.-]+$", "");
            Usernames.normalise(name).ifPresent(out::add);
        }
        return List.copyOf(out);
    }

    /**
     * The ids of the accounts {@code body} mentions.
     *
     * @throws ApiException {@code too_large} above {@code maxMentions} distinct names
     */
    public List<String> resolve(String body) {
        List<String> names = names(body);
        if (names.size() > maxMentions) {
            throw new ApiException(
                    ErrorCode.TOO_LARGE,
                    "a message mentions at most " + maxMentions + " people (" + names.size() + " @names)");
        }
        List<String> ids = new ArrayList<>();
        for (String name : names) {
            String id;
            synchronized (cache) {
                id = cache.get(name);
            }
            if (id == null) {
                try {
                    id = lookup.apply(name).orElse(null);
                } catch (ApiException e) {
                    throw e;
                } catch (RuntimeException e) {
                    // Cassandra unreachable: refusing beats posting without notifying the mentioned
                    throw new ApiException(
                            ErrorCode.UNAVAILABLE, "cannot resolve @mentions now; retry with the same id");
                }
                if (id != null) {
                    synchronized (cache) {
                        cache.put(name, id);
                    }
                }
            }
            if (id != null && !ids.contains(id)) {
                ids.add(id);
            }
        }
        return ids;
    }
}
