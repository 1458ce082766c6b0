package dev.parley.edge.history;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import dev.parley.schema.HistoryTables;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
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

    public record Message(
            String conversationId,
            long seq,
            long messageId,
            String sender,
            String body,
            List<String> media,
            Long replyTo,
            Instant createdAt,
            /** the media's descriptors, one JSON object each ({@code MediaDescriptors}), in media's order */
            List<String> attachments) {}

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

    private static final String COLUMNS = "seq, message_id, sender, body, media, reply_to, created_at, attachments";

    private final CqlSession session;
    private final PreparedStatement member;
    private final PreparedStatement lastSeq;
    private final PreparedStatement after;
    private final PreparedStatement before;
    private final PreparedStatement mine;
    private final PreparedStatement conversation;
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
        conversation = session.prepare(
                "SELECT type, name, last_seq, last_activity FROM " + k + "conversations WHERE conversation_id = ?");
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
                out.add(message(conversationId, row));
            }
        }
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
                out.add(message(conversationId, row));
            }
        }
        Collections.reverse(out);
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

    private static Message message(String conversationId, Row row) {
        return new Message(
                conversationId,
                row.getLong("seq"),
                row.getLong("message_id"),
                row.getString("sender"),
                row.getString("body"),
                row.getList("media", String.class),
                row.isNull("reply_to") ? null : row.getLong("reply_to"),
                row.getInstant("created_at"),
                row.getList("attachments", String.class));
    }
}
