package dev.parley.edge.history;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import dev.parley.schema.HistoryTables;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The read side over the tables the Cassandra sink writes: a conversation's messages in seq
 * order, paged across seq buckets, and a user's conversations with unread counts. What it shows
 * trails the event log by the sink's lag (well under a second here).
 *
 * <p>The work of one page is bounded whatever the cursor: cursors are clamped to the conversation's
 * last seq (one small read), so {@code before=3000000} on a one-message conversation reads one
 * bucket, not 3,000; and a page reads at most {@code history.max.buckets.per.request} buckets. A
 * page cut short by that bound (buckets with no rows: not yet written by the sink, or expired)
 * carries a {@code next} cursor where the scan stopped, so the client continues instead of the edge
 * scanning on.
 */
public final class HistoryReader {

    /**
     * Most members (and receipt rows) {@link #details} reads: every group (capped at 1,024 by default),
     * and the first of a channel's, which has no cap. Receipt counts of a channel need another API.
     */
    public static final int MAX_DETAILS_MEMBERS = 1_024;

    /**
     * A message as history shows it. A deleted one ({@code deleted}) is a tombstone: no body, media,
     * reply or reactions. {@code version} is the conversation's change counter at its last change.
     */
    public record Message(
            String conversationId,
            long seq,
            long messageId,
            String sender,
            String body,
            List<String> media,
            Long replyTo,
            Instant createdAt,
            Instant editedAt,
            boolean deleted,
            long version,
            Instant expiresAt,
            List<Reaction> reactions,
            /** the media's descriptors, one JSON object each ({@code MediaDescriptors}), in media's order */
            List<String> attachments) {}

    /** One emoji on a message and who put it there, in the order they did. */
    public record Reaction(String emoji, List<String> users) {}

    /** One row of the changes feed (see {@link #changes}). */
    public record Change(
            long version,
            String type,
            Long seq,
            String actor,
            Instant ts,
            List<String> added,
            List<String> removed,
            List<String> admins,
            Integer memberCount,
            String name,
            Long retentionSeconds) {}

    /** Changes in version order and the version to ask after for more (null: none yet). */
    public record Changes(List<Change> changes, Long next) {}

    /** Messages in ascending seq, and the cursor for the next page in the same direction (or null). */
    public record Page(List<Message> messages, Long next) {}

    public record Summary(
            String conversationId,
            String type,
            String name,
            long lastSeq,
            Instant lastActivity,
            long read,
            long delivered) {}

    /** Who is in a conversation, for showing it: its type, name, admins and members. */
    public record Details(
            String type, String name, Set<String> admins, List<String> members, Map<String, Watermarks> receipts) {}

    /** How far a member has received and read. */
    public record Watermarks(long delivered, long read) {}

    private static final String COLUMNS =
            "seq, message_id, sender, body, media, reply_to, created_at, edited_at, deleted, version, expires_at, attachments";

    private final CqlSession session;
    private final PreparedStatement member;
    private final PreparedStatement lastSeq;
    private final PreparedStatement after;
    private final PreparedStatement before;
    private final PreparedStatement mine;
    private final PreparedStatement mineIds;
    private final PreparedStatement conversation;
    private final PreparedStatement details;
    private final PreparedStatement members;
    private final PreparedStatement receipts;
    private final PreparedStatement reactionsOf;
    private final PreparedStatement reactionsOfOne;
    private final PreparedStatement messageAt;
    private final PreparedStatement changesAfter;
    private final int maxBuckets;

    /** The tables must exist: the migrate step makes them, the edge checks the version at start. */
    public HistoryReader(CqlSession session, String keyspace, int maxBucketsPerPage) {
        this.session = session;
        this.maxBuckets = maxBucketsPerPage;
        String k = keyspace + ".";
        member = session.prepare(
                "SELECT user_id FROM " + k + "conversation_members WHERE conversation_id = ? AND user_id = ?");
        lastSeq = session.prepare("SELECT last_seq FROM " + k + "conversations WHERE conversation_id = ?");
        after = session.prepare("SELECT " + COLUMNS + " FROM " + k + "messages WHERE conversation_id = ? AND bucket = ?"
                + " AND seq > ? ORDER BY seq ASC LIMIT ?");
        before = session.prepare("SELECT " + COLUMNS + " FROM " + k
                + "messages WHERE conversation_id = ? AND bucket = ?" + " AND seq < ? ORDER BY seq DESC LIMIT ?");
        mine = session.prepare(
                "SELECT conversation_id, delivered, read FROM " + k + "conversations_by_user WHERE user_id = ?");
        mineIds =
                session.prepare("SELECT conversation_id FROM " + k + "conversations_by_user WHERE user_id = ? LIMIT ?");
        conversation = session.prepare(
                "SELECT type, name, last_seq, last_activity FROM " + k + "conversations WHERE conversation_id = ?");
        details = session.prepare("SELECT type, name, admins FROM " + k + "conversations WHERE conversation_id = ?");
        // bounded: a channel (v6) has no member cap; its details list the first members by id
        members = session.prepare("SELECT user_id FROM " + k + "conversation_members WHERE conversation_id = ? LIMIT "
                + MAX_DETAILS_MEMBERS);
        receipts = session.prepare("SELECT user_id, delivered, read FROM " + k + "receipts WHERE conversation_id = ?"
                + " LIMIT " + MAX_DETAILS_MEMBERS);
        reactionsOf = session.prepare("SELECT seq, emoji, user_id, created_at FROM " + k + "reactions"
                + " WHERE conversation_id = ? AND bucket = ? AND seq >= ? AND seq <= ?");
        reactionsOfOne = session.prepare("SELECT seq, emoji, user_id, created_at FROM " + k + "reactions"
                + " WHERE conversation_id = ? AND bucket = ? AND seq = ?");
        messageAt = session.prepare(
                "SELECT " + COLUMNS + " FROM " + k + "messages WHERE conversation_id = ? AND bucket = ? AND seq = ?");
        changesAfter = session.prepare("SELECT version, type, seq, actor, ts, added, removed, admins, member_count,"
                + " name, retention_seconds FROM " + k + "changes WHERE conversation_id = ? AND bucket = ?"
                + " AND version > ? ORDER BY version ASC LIMIT ?");
    }

    /**
     * Up to {@code limit} changes after {@code since}, in version order. Versions are dense, so the
     * page stops at the first gap (a change the sink has not written yet) and {@code next} points
     * before it: a client never skips one. At most {@code history.max.buckets.per.request} buckets.
     */
    public Changes changes(String conversationId, long since, int limit) {
        List<Change> out = new ArrayList<>(limit);
        long expected = since + 1;
        long first = HistoryTables.bucket(expected);
        boolean gap = false;
        for (long bucket = first; !gap && out.size() < limit && bucket - first < maxBuckets; bucket++) {
            for (Row row :
                    session.execute(changesAfter.bind(conversationId, bucket, expected - 1, limit - out.size()))) {
                long version = row.getLong(0);
                if (version != expected) {
                    gap = true;
                    break;
                }
                out.add(new Change(
                        version,
                        row.getString(1),
                        row.isNull(2) ? null : row.getLong(2),
                        row.getString(3),
                        row.getInstant(4),
                        row.isNull(5) ? null : row.getList(5, String.class),
                        row.isNull(6) ? null : row.getList(6, String.class),
                        row.isNull(7) ? null : row.getList(7, String.class),
                        row.isNull(8) ? null : row.getInt(8),
                        row.getString(9),
                        row.isNull(10) ? null : row.getLong(10)));
                expected++;
            }
            // a bucket holds versions b*1000 .. b*1000+999: if it ended early, nothing follows yet
            if (out.size() < limit && expected % HistoryTables.BUCKET_SIZE != 0) {
                break;
            }
        }
        return new Changes(out, out.size() == limit ? Long.valueOf(expected - 1) : null);
    }

    /** Message {@code seq} as history shows it now, or null (never written, or expired). */
    public Message message(String conversationId, long seq) {
        Row row = session.execute(messageAt.bind(conversationId, HistoryTables.bucket(seq), seq))
                .one();
        if (row == null || row.isNull("message_id")) {
            return null;
        }
        List<Message> one = new ArrayList<>(List.of(message(conversationId, row, List.of())));
        return withReactions(conversationId, one, seq, seq).get(0);
    }

    /** The reactions of message {@code seq} now. */
    public List<Reaction> reactions(String conversationId, long seq) {
        java.util.Map<Long, List<Reaction>> bySeq = new java.util.HashMap<>();
        collect(session.execute(reactionsOfOne.bind(conversationId, HistoryTables.bucket(seq), seq)), bySeq);
        return bySeq.getOrDefault(seq, List.of());
    }

    /** Adds each message's reactions: one read per bucket the page spans (at most two for a page). */
    private List<Message> withReactions(String conversationId, List<Message> page, long low, long high) {
        if (page.isEmpty()) {
            return page;
        }
        java.util.Map<Long, List<Reaction>> bySeq = new java.util.HashMap<>();
        for (long bucket = HistoryTables.bucket(low); bucket <= HistoryTables.bucket(high); bucket++) {
            collect(session.execute(reactionsOf.bind(conversationId, bucket, low, high)), bySeq);
        }
        List<Message> out = new ArrayList<>(page.size());
        for (Message m : page) {
            List<Reaction> reactions = m.deleted() ? List.of() : bySeq.getOrDefault(m.seq(), List.of());
            out.add(new Message(
                    m.conversationId(),
                    m.seq(),
                    m.messageId(),
                    m.sender(),
                    m.body(),
                    m.media(),
                    m.replyTo(),
                    m.createdAt(),
                    m.editedAt(),
                    m.deleted(),
                    m.version(),
                    m.expiresAt(),
                    reactions,
                    m.attachments()));
        }
        return out;
    }

    /**
     * The conversation's type, name, admins, members and their receipt watermarks (one partition
     * each, bounded by the group cap), so a client can show sent / delivered / read after a reload.
     */
    public Details details(String conversationId) {
        Row c = session.execute(details.bind(conversationId)).one();
        List<String> ids = new ArrayList<>();
        for (Row row : session.execute(members.bind(conversationId))) {
            ids.add(row.getString(0));
        }
        Map<String, Watermarks> marks = new HashMap<>();
        for (Row row : session.execute(receipts.bind(conversationId))) {
            marks.put(
                    row.getString(0),
                    new Watermarks(row.isNull(1) ? 0 : row.getLong(1), row.isNull(2) ? 0 : row.getLong(2)));
        }
        return c == null
                ? new Details(null, null, Set.of(), ids, marks)
                : new Details(c.getString(0), c.getString(1), c.getSet(2, String.class), ids, marks);
    }

    /** Groups reaction rows by seq and emoji; users in the order they reacted, emojis by first use. */
    private static void collect(Iterable<Row> rows, java.util.Map<Long, List<Reaction>> bySeq) {
        java.util.Map<Long, java.util.Map<String, List<Object[]>>> grouped = new java.util.TreeMap<>();
        for (Row row : rows) {
            grouped.computeIfAbsent(row.getLong(0), k -> new java.util.TreeMap<>())
                    .computeIfAbsent(row.getString(1), k -> new ArrayList<>())
                    .add(new Object[] {row.getString(2), row.getInstant(3)});
        }
        grouped.forEach((seq, byEmoji) -> {
            List<Reaction> reactions = new ArrayList<>();
            byEmoji.forEach((emoji, users) -> {
                users.sort(java.util.Comparator.comparing((Object[] u) -> u[1] == null ? Instant.EPOCH : (Instant) u[1])
                        .thenComparing(u -> (String) u[0]));
                reactions.add(new Reaction(
                        emoji, users.stream().map(u -> (String) u[0]).toList()));
            });
            bySeq.put(seq, reactions);
        });
    }

    public boolean isMember(String conversationId, String userId) {
        return session.execute(member.bind(conversationId, userId)).one() != null;
    }

    public long lastSeq(String conversationId) {
        Row row = session.execute(lastSeq.bind(conversationId)).one();
        return row == null || row.isNull(0) ? 0 : row.getLong(0);
    }

    /** Up to {@code limit} messages with seq greater than {@code afterSeq}. */
    public Page after(String conversationId, long afterSeq, int limit) {
        long last = lastSeq(conversationId);
        if (afterSeq >= last) {
            return new Page(List.of(), null);
        }
        List<Message> out = new ArrayList<>(limit);
        long first = HistoryTables.bucket(afterSeq + 1);
        long bucket = first;
        for (; bucket <= HistoryTables.bucket(last) && out.size() < limit && bucket - first < maxBuckets; bucket++) {
            for (Row row : session.execute(after.bind(conversationId, bucket, afterSeq, limit - out.size()))) {
                addUnlessPhantom(conversationId, row, out);
            }
        }
        out = withReactions(
                conversationId,
                out,
                afterSeq + 1,
                out.isEmpty() ? afterSeq : out.get(out.size() - 1).seq());
        if (out.size() == limit) {
            long lastReturned = out.get(out.size() - 1).seq();
            return new Page(out, lastReturned < last ? lastReturned : null);
        }
        // cut short by the bucket bound: everything below this bucket has been read
        return new Page(out, bucket <= HistoryTables.bucket(last) ? bucket * HistoryTables.BUCKET_SIZE - 1 : null);
    }

    /** Up to {@code limit} messages with seq less than {@code beforeSeq}, in ascending order. */
    public Page before(String conversationId, long beforeSeq, int limit) {
        return before(conversationId, beforeSeq, limit, lastSeq(conversationId));
    }

    private Page before(String conversationId, long beforeSeq, int limit, long last) {
        long upper = Math.min(beforeSeq, last + 1);
        if (upper <= 1) {
            return new Page(List.of(), null);
        }
        List<Message> out = new ArrayList<>(limit);
        long first = HistoryTables.bucket(upper - 1);
        long bucket = first;
        for (; bucket >= 0 && out.size() < limit && first - bucket < maxBuckets; bucket--) {
            for (Row row : session.execute(before.bind(conversationId, bucket, upper, limit - out.size()))) {
                addUnlessPhantom(conversationId, row, out);
            }
        }
        Collections.reverse(out);
        out = withReactions(
                conversationId, out, out.isEmpty() ? upper : out.get(0).seq(), upper - 1);
        if (out.size() == limit) {
            long firstReturned = out.get(0).seq();
            return new Page(out, firstReturned > 1 ? firstReturned : null);
        }
        // cut short by the bucket bound: everything above this bucket has been read
        return new Page(out, bucket >= 0 ? (bucket + 1) * HistoryTables.BUCKET_SIZE : null);
    }

    /** The newest {@code limit} messages. */
    public Page latest(String conversationId, int limit) {
        long last = lastSeq(conversationId);
        return before(conversationId, last + 1, limit, last);
    }

    /**
     * Up to {@code limit} ids of the user's conversations (the list {@link #conversationsOf} shows,
     * in conversation id order), one partition read: what search filters on.
     */
    public List<String> conversationIdsOf(String userId, int limit) {
        List<String> ids = new ArrayList<>();
        for (Row row : session.execute(mineIds.bind(userId, limit))) {
            ids.add(row.getString(0));
        }
        return ids;
    }

    /** The user's conversations, most recently active first. */
    public List<Summary> conversationsOf(String userId) {
        List<CompletableFuture<Summary>> lookups = new ArrayList<>();
        for (Row row : session.execute(mine.bind(userId))) {
            String id = row.getString(0);
            long delivered = row.isNull(1) ? 0 : row.getLong(1);
            long read = row.isNull(2) ? 0 : row.getLong(2);
            CompletionStage<Summary> lookup = session.executeAsync(conversation.bind(id))
                    .thenApply(rs -> {
                        Row c = rs.one();
                        return c == null
                                ? new Summary(id, null, null, 0, null, read, delivered)
                                : new Summary(
                                        id,
                                        c.getString(0),
                                        c.getString(1),
                                        c.isNull(2) ? 0 : c.getLong(2),
                                        c.getInstant(3),
                                        read,
                                        delivered);
                    });
            lookups.add(lookup.toCompletableFuture());
        }
        List<Summary> out = new ArrayList<>();
        lookups.forEach(f -> out.add(f.join()));
        out.sort((a, b) -> {
            Instant x = a.lastActivity() == null ? Instant.EPOCH : a.lastActivity();
            Instant y = b.lastActivity() == null ? Instant.EPOCH : b.lastActivity();
            return y.compareTo(x);
        });
        return out;
    }

    /**
     * A row without a message id is not a message: an update (a reaction's version) that reached a
     * row whose insert had already expired by its TTL. It is not shown.
     */
    private static void addUnlessPhantom(String conversationId, Row row, List<Message> out) {
        if (!row.isNull("message_id")) {
            out.add(message(conversationId, row, List.of()));
        }
    }

    private static Message message(String conversationId, Row row, List<Reaction> reactions) {
        boolean deleted = !row.isNull("deleted") && row.getBoolean("deleted");
        return new Message(
                conversationId,
                row.getLong("seq"),
                row.getLong("message_id"),
                row.getString("sender"),
                deleted ? null : row.getString("body"),
                deleted ? List.of() : row.getList("media", String.class),
                deleted || row.isNull("reply_to") ? null : row.getLong("reply_to"),
                row.getInstant("created_at"),
                deleted ? null : row.getInstant("edited_at"),
                deleted,
                row.isNull("version") ? 0 : row.getLong("version"),
                row.getInstant("expires_at"),
                reactions,
                deleted || row.isNull("attachments") ? List.of() : row.getList("attachments", String.class));
    }
}
