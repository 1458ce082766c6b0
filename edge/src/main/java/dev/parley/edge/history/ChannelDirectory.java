package dev.parley.edge.history;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import dev.parley.schema.ChannelNames;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The directory of public channels ({@code GET /v1/channels?q=}) over the {@code channel_directory}
 * rows the Cassandra sink writes (V007): one partition per term, read in (name key, channel id)
 * order. A query's longest word picks the partition; its other words (and the part of a word beyond
 * {@link ChannelNames#MAX_TERM_CHARS}) are checked against each row's name key here. So the work of
 * one page is bounded: at most {@code scanBudget} rows are read, and a page cut short by that bound
 * carries the position where the scan stopped, as a history page does. Private channels have no
 * rows: they are never listed.
 */
public final class ChannelDirectory {

    /** A listed channel. */
    public record Channel(String conversationId, String name, Integer memberCount) {}

    /** Where a scan of one term stopped: the last row's clustering key. */
    public record Position(String nameKey, String conversationId) {}

    /** Channels in name order and where the next page starts (null: no more). */
    public record Page(List<Channel> channels, Position next) {}

    private final CqlSession session;
    private final int scanBudget;
    private final PreparedStatement first;
    private final PreparedStatement after;
    private final PreparedStatement counts;

    public ChannelDirectory(CqlSession session, String keyspace, int scanBudget) {
        this.session = session;
        this.scanBudget = scanBudget;
        String table = keyspace + ".channel_directory";
        first = session.prepare("SELECT name_key, conversation_id, name FROM " + table + " WHERE term = ? LIMIT ?");
        after = session.prepare("SELECT name_key, conversation_id, name FROM " + table
                + " WHERE term = ? AND (name_key, conversation_id) > (?, ?) LIMIT ?");
        counts = session.prepare(
                "SELECT conversation_id, member_count FROM " + keyspace + ".conversations WHERE conversation_id IN ?");
    }

    /** Up to {@code limit} public channels whose name has every word of {@code query} as a word prefix. */
    public Page search(String query, int limit, Position from) {
        List<String> words = ChannelNames.words(query);
        String term = ChannelNames.term(words);
        List<Row> matched = new ArrayList<>();
        Position cursor = from;
        int scanned = 0;
        boolean exhausted = false;
        // one more match than asked tells whether a next page exists without an empty last page
        while (matched.size() <= limit && scanned < scanBudget) {
            int fetch = Math.min(scanBudget - scanned, Math.max(limit + 1, 50));
            List<Row> rows = (cursor == null
                            ? session.execute(first.bind(term, fetch))
                            : session.execute(after.bind(term, cursor.nameKey(), cursor.conversationId(), fetch)))
                    .all();
            for (Row row : rows) {
                scanned++;
                cursor = new Position(row.getString("name_key"), row.getString("conversation_id"));
                if (ChannelNames.matches(cursor.nameKey(), words)) {
                    matched.add(row);
                    if (matched.size() > limit) {
                        break;
                    }
                }
            }
            if (rows.size() < fetch) {
                exhausted = true;
                break;
            }
        }
        Position next;
        if (matched.size() > limit) {
            Row last = matched.get(limit - 1);
            matched = matched.subList(0, limit);
            next = new Position(last.getString("name_key"), last.getString("conversation_id"));
        } else {
            next = exhausted ? null : cursor; // the budget ran out: continue where the scan stopped
        }
        return new Page(channels(matched), next);
    }

    private List<Channel> channels(List<Row> rows) {
        if (rows.isEmpty()) {
            return List.of();
        }
        List<String> ids =
                rows.stream().map(r -> r.getString("conversation_id")).toList();
        Map<String, Integer> members = new HashMap<>();
        for (Row row : session.execute(counts.bind(ids))) {
            if (!row.isNull("member_count")) {
                members.put(row.getString("conversation_id"), row.getInt("member_count"));
            }
        }
        List<Channel> out = new ArrayList<>();
        for (Row r : rows) {
            String id = r.getString("conversation_id");
            out.add(new Channel(id, r.getString("name"), members.get(id)));
        }
        return out;
    }
}
