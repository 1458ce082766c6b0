package dev.parley.topology.notification;

import dev.parley.topology.store.PendingPush;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The {@code pending-pushes} store with its index {@code pending-pushes-due}, so a punctuation reads
 * only the entries due now instead of the whole store. Every entry is filed in the index under its
 * {@link PendingPush#getDueAt() due time}: index key = the time as 19 zero-padded digits, U+001F,
 * the entry's key; RocksDB orders keys by bytes, so a range scan up to now yields the due entries,
 * oldest first. Writing an entry through {@link #put} moves its index entry.
 */
final class PendingPushes {

    private static final char SEPARATOR = '\u001f';
    /** Sorts after every digit, so no due scan ever reaches it. */
    private static final String BACKFILLED = "backfilled";

    private final KeyValueStore<String, PendingPush> pending;
    private final KeyValueStore<String, Long> due;
    /** Where the walk filing older releases' entries goes on; null when there is nothing to walk. */
    private String backfillCursor = "";

    PendingPushes(KeyValueStore<String, PendingPush> pending, KeyValueStore<String, Long> due) {
        this.pending = pending;
        this.due = due;
    }

    /** A store that starts empty (a new deployment) holds nothing an older release wrote. */
    void skipBackfillIfEmpty() {
        try (KeyValueIterator<String, PendingPush> it = pending.all()) {
            if (!it.hasNext()) {
                backfillCursor = null;
            }
        }
    }

    PendingPush get(String key) {
        return pending.get(key);
    }

    /** Writes {@code value}, filed under {@code dueAt}. */
    void put(String key, PendingPush value, long dueAt) {
        PendingPush old = pending.get(key);
        if (old != null && old.getDueAt() != 0 && old.getDueAt() != dueAt) {
            due.delete(indexKey(old.getDueAt(), key));
        }
        value.setDueAt(dueAt);
        pending.put(key, value);
        due.put(indexKey(dueAt, key), dueAt);
    }

    /** Writes {@code value} where it is filed now (a change that does not move its due time). */
    void update(String key, PendingPush value) {
        pending.put(key, value);
    }

    void delete(String key) {
        PendingPush old = pending.delete(key);
        if (old != null && old.getDueAt() != 0) {
            due.delete(indexKey(old.getDueAt(), key));
        }
    }

    /** At most {@code max} entries due at {@code now}, oldest first. */
    List<KeyValue<String, PendingPush>> due(long now, int max) {
        List<KeyValue<String, PendingPush>> keys = new ArrayList<>();
        List<String> stale = new ArrayList<>();
        try (KeyValueIterator<String, Long> it = due.range(null, digits(now + 1))) {
            while (keys.size() + stale.size() < max && it.hasNext()) {
                KeyValue<String, Long> entry = it.next();
                String key = entry.key.substring(entry.key.indexOf(SEPARATOR) + 1);
                PendingPush value = pending.get(key);
                // defensive: every write goes through put/delete, which keep the two in step
                if (value == null || value.getDueAt() != entry.value) {
                    stale.add(entry.key);
                } else {
                    keys.add(KeyValue.pair(key, value));
                }
            }
        }
        stale.forEach(due::delete);
        return keys;
    }

    /**
     * Files up to {@code max} entries a release before the index wrote ({@code due_at} 0) under
     * {@code now}, walking the store once per instance in steps; returns how many it looked at.
     */
    int backfill(long now, int max) {
        if (backfillCursor == null) {
            return 0;
        }
        if (due.get(BACKFILLED) != null) {
            backfillCursor = null;
            return 0;
        }
        int seen = 0;
        List<KeyValue<String, PendingPush>> unfiled = new ArrayList<>();
        try (KeyValueIterator<String, PendingPush> it = pending.range(backfillCursor, null)) {
            while (seen < max && it.hasNext()) {
                KeyValue<String, PendingPush> entry = it.next();
                seen++;
                backfillCursor = entry.key + '\0';
                if (entry.value.getDueAt() == 0) {
                    unfiled.add(entry);
                }
            }
            if (!it.hasNext()) {
                backfillCursor = null;
            }
        }
        unfiled.forEach(e -> put(e.key, e.value, now));
        if (backfillCursor == null) {
            due.put(BACKFILLED, now);
        }
        return seen;
    }

    static String indexKey(long dueAt, String key) {
        return digits(dueAt) + SEPARATOR + key;
    }

    private static String digits(long millis) {
        return String.format(java.util.Locale.ROOT, "%019d", Math.max(0, millis));
    }
}
