package dev.parley.schema.history;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchType;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.Statement;
import dev.parley.schema.ChannelNames;
import dev.parley.schema.ChannelVisibility;
import dev.parley.schema.ConversationCreated;
import dev.parley.schema.ConversationEvent;
import dev.parley.schema.ConversationIds;
import dev.parley.schema.ConversationType;
import dev.parley.schema.ConversationUpdated;
import dev.parley.schema.HistoryTables;
import dev.parley.schema.MediaDescriptors;
import dev.parley.schema.MembersChanged;
import dev.parley.schema.MessageDeleted;
import dev.parley.schema.MessageEdited;
import dev.parley.schema.MessagePosted;
import dev.parley.schema.ReactionChanged;
import dev.parley.schema.ReactionOp;
import dev.parley.schema.ReceiptAdvanced;
import dev.parley.schema.RetentionChanged;
import dev.parley.schema.SchemaVersionCheck;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * Turns one event into idempotent upserts: writing the same event twice, or replaying the whole
 * topic, leaves the same rows. The last seq of a conversation is written with the seq as its cell
 * timestamp, so it never moves backwards even when an old event is replayed after a newer one.
 *
 * <p>Cassandra refuses a batch above {@code batch_size_fail_threshold} (50 KiB by default) and warns
 * above 5 KiB, and the largest events are far bigger: a 64 KiB body, a group of 1,024 members. So
 * rows are grouped by partition key (a batch of several partitions only moves the fan-out to the
 * coordinator), each partition's rows go as unlogged batches of at most {@code maxBatchBytes} of
 * bound values, and a row larger than that goes alone. Every statement counts against {@code
 * inFlight}, so one big event cannot exceed the driver's requests per connection.
 *
 * <p>The rows of a batch are written concurrently, so a message's {@code last_seq} move written
 * with its row could land while an earlier message's row failed and waits for the redelivery: a
 * history page would read a hole below {@code last_seq}. So the moves are held back and written
 * only once the whole batch is ({@link #advanceConversations}), coalesced to one per conversation.
 */
public final class EventWriter implements EventStore {

    /** Bytes a row costs beyond its values (clustering, timestamps, cell headers): an estimate. */
    private static final int ROW_OVERHEAD_BYTES = 32;

    private final CqlSession session;
    private final Semaphore inFlight;
    private final int maxBatchBytes;
    private final PreparedStatement insertMessage;
    private final PreparedStatement advanceConversation;
    private final PreparedStatement createConversation;
    private final PreparedStatement addMember;
    private final PreparedStatement addUserConversation;
    private final PreparedStatement removeMember;
    private final PreparedStatement removeUserConversation;
    private final PreparedStatement setAdmins;
    private final PreparedStatement rename;
    private final PreparedStatement receipt;
    private final PreparedStatement userWatermarks;
    private final PreparedStatement addReaction;
    private final PreparedStatement removeReaction;
    private final PreparedStatement editMessage;
    private final PreparedStatement deleteMessage;
    private final PreparedStatement deleteReactions;
    private final PreparedStatement touchMessage;
    private final PreparedStatement insertChange;
    private final Clock clock;
    private final PreparedStatement useMedia;
    private final PreparedStatement unuseMedia;
    private final PreparedStatement releaseMedia;
    private final PreparedStatement mediaOfMessage;
    private final PreparedStatement channelSettings;
    private final PreparedStatement memberCount;
    private final PreparedStatement listChannel;
    private final PreparedStatement unlistChannel;
    private final PreparedStatement channelRow;
    private final PreparedStatement dropReceipt;
    /** Per conversation, writes not yet complete: a delete reads its message only after them. */
    private final Map<String, CompletableFuture<Void>> pending = new ConcurrentHashMap<>();
    /**
     * Per conversation, its highest message written since the last advance: at most one entry per
     * conversation of a batch. Touched by the task thread only.
     */
    private final Map<String, ConversationEvent> heldAdvances = new HashMap<>();

    /** Refuses a keyspace not at this build's schema version ({@link SchemaVersionCheck}). */
    public EventWriter(CqlSession session, String keyspace, int maxInFlight, int maxBatchBytes) {
        this(session, keyspace, maxInFlight, maxBatchBytes, Clock.systemUTC());
    }

    /** @param clock what a disappearing message's remaining lifetime (its TTL) is measured against */
    EventWriter(CqlSession session, String keyspace, int maxInFlight, int maxBatchBytes, Clock clock) {
        this.session = session;
        this.clock = clock;
        this.inFlight = new Semaphore(maxInFlight);
        this.maxBatchBytes = maxBatchBytes;
        SchemaVersionCheck.require(session, keyspace); // only the migrate step changes the schema
        String k = keyspace + ".";
        insertMessage = session.prepare("INSERT INTO " + k + "messages (conversation_id, bucket, seq, message_id,"
                + " sender, client_msg_id, body, media, reply_to, created_at, edited, deleted, version, expires_at,"
                + " attachments) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, false, false, ?, ?, ?) USING TTL ?");
        editMessage = session.prepare("UPDATE " + k + "messages USING TTL ? SET body = ?, edited = true, edited_at = ?,"
                + " version = ? WHERE conversation_id = ? AND bucket = ? AND seq = ?");
        // a tombstone: the key, who and when, deleted and version; the content is written null
        deleteMessage = session.prepare(
                "UPDATE " + k + "messages USING TTL ? SET body = null, media = null, attachments = null,"
                        + " reply_to = null, client_msg_id = null, edited = null, edited_at = null, deleted = true,"
                        + " version = ? WHERE conversation_id = ? AND bucket = ? AND seq = ?");
        deleteReactions =
                session.prepare("DELETE FROM " + k + "reactions WHERE conversation_id = ? AND bucket = ? AND seq = ?");
        touchMessage = session.prepare("UPDATE " + k + "messages USING TTL ? SET version = ?"
                + " WHERE conversation_id = ? AND bucket = ? AND seq = ?");
        insertChange = session.prepare("INSERT INTO " + k + "changes (conversation_id, bucket, version, type, seq,"
                + " actor, ts, added, removed, admins, member_count, name, retention_seconds)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) USING TTL ?");
        // who may read a media: members of the conversations where a message referencing it was posted;
        // one row per message (V006), living and dying with the message
        useMedia = session.prepare(
                "INSERT INTO " + k + "media_uses (media_id, conversation_id, seq) VALUES (?, ?, ?) USING TTL ?");
        unuseMedia = session.prepare(
                "DELETE FROM " + k + "media_uses WHERE media_id = ? AND conversation_id = ? AND seq = ?");
        releaseMedia = session.prepare("INSERT INTO " + k + "media_releases (day, due_at, media_id) VALUES (?, ?, ?)");
        mediaOfMessage = session.prepare(
                "SELECT media FROM " + k + "messages WHERE conversation_id = ? AND bucket = ? AND seq = ?");
        advanceConversation = session.prepare("UPDATE " + k + "conversations USING TIMESTAMP ?"
                + " SET last_seq = ?, last_activity = ? WHERE conversation_id = ?");
        createConversation = session.prepare("UPDATE " + k + "conversations SET type = ?, name = ?, creator = ?,"
                + " created_at = ?, admins = ? WHERE conversation_id = ?");
        // V007: a channel's settings and size, and the directory of public channels (ChannelNames)
        channelSettings = session.prepare(
                "UPDATE " + k + "conversations SET visibility = ?, posting = ? WHERE conversation_id = ?");
        memberCount = session.prepare("UPDATE " + k + "conversations SET member_count = ? WHERE conversation_id = ?");
        listChannel = session.prepare("INSERT INTO " + k + "channel_directory (term, name_key, conversation_id, name)"
                + " VALUES (?, ?, ?, ?)");
        unlistChannel = session.prepare(
                "DELETE FROM " + k + "channel_directory WHERE term = ? AND name_key = ?" + " AND conversation_id = ?");
        // a member who left is counted in no receipt count (GET .../messages/{seq}/receipts)
        dropReceipt = session.prepare("DELETE FROM " + k + "receipts WHERE conversation_id = ? AND user_id = ?");
        channelRow = session.prepare("SELECT name, visibility FROM " + k + "conversations WHERE conversation_id = ?");
        addMember = session.prepare(
                "INSERT INTO " + k + "conversation_members (conversation_id, user_id, joined_at) VALUES (?, ?, ?)");
        addUserConversation = session.prepare("UPDATE " + k + "conversations_by_user SET joined_at = ?"
                + " WHERE user_id = ? AND conversation_id = ?");
        removeMember =
                session.prepare("DELETE FROM " + k + "conversation_members WHERE conversation_id = ? AND user_id = ?");
        removeUserConversation =
                session.prepare("DELETE FROM " + k + "conversations_by_user WHERE user_id = ? AND conversation_id = ?");
        setAdmins = session.prepare("UPDATE " + k + "conversations SET admins = ? WHERE conversation_id = ?");
        rename = session.prepare("UPDATE " + k + "conversations SET name = ? WHERE conversation_id = ?");
        receipt = session.prepare(
                "UPDATE " + k + "receipts SET delivered = ?, read = ?" + " WHERE conversation_id = ? AND user_id = ?");
        userWatermarks = session.prepare("UPDATE " + k + "conversations_by_user SET delivered = ?, read = ?"
                + " WHERE user_id = ? AND conversation_id = ?");
        addReaction = session.prepare("INSERT INTO " + k + "reactions (conversation_id, bucket, seq, user_id, emoji,"
                + " created_at) VALUES (?, ?, ?, ?, ?, ?) USING TTL ?");
        removeReaction = session.prepare("DELETE FROM " + k + "reactions WHERE conversation_id = ? AND bucket = ?"
                + " AND seq = ? AND user_id = ? AND emoji = ?");
    }

    /**
     * Starts every write of one event; call it from one thread (it blocks while {@code inFlight}
     * statements are pending). The future completes when all are done, exceptionally with a
     * retriable failure if any statement had one (a redelivery rewrites them all), else with the
     * first refusal.
     */
    @Override
    public CompletableFuture<Void> write(ConversationEvent event) {
        String conversation = event.getConversationId();
        if (event.getPayload() instanceof MessageDeleted d) {
            try {
                releaseMediaOf(event, d);
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(WriteFailures.unwrap(e));
            }
        }
        List<BoundStatement> statements = statements(event);
        if (event.getPayload() instanceof ConversationUpdated u && ConversationIds.isChannel(conversation)) {
            try {
                statements.addAll(relist(conversation, u.getName()));
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(WriteFailures.unwrap(e));
            }
        }
        if (event.getPayload() instanceof MessagePosted) {
            heldAdvances.merge(conversation, event, (held, e) -> e.getSeq() > held.getSeq() ? e : held);
        }
        CompletableFuture<Void> write = execute(statements);
        CompletableFuture<Void> done = write.handle((ok, e) -> null);
        CompletableFuture<Void> all = pending.merge(conversation, done, CompletableFuture::allOf);
        all.whenComplete((ok, e) -> pending.remove(conversation, all));
        return write;
    }

    @Override
    public CompletableFuture<Void> advanceConversations() {
        List<BoundStatement> moves = new ArrayList<>();
        for (ConversationEvent e : heldAdvances.values()) {
            moves.add(advanceConversation.bind(e.getSeq(), e.getSeq(), e.getTs(), e.getConversationId()));
        }
        heldAdvances.clear();
        return execute(moves);
    }

    @Override
    public void dropAdvances() {
        heldAdvances.clear();
    }

    /**
     * Before a delete's tombstone: reads the message's media ids, then, for each, writes a release
     * entry (due at the delete) and drops the message's reference row, and waits for those writes. In
     * this order a crash at any point is repaired by the redelivery: until the tombstone is written
     * the row still names its media, and a release entry exists before a reference is gone. Blocks the
     * task thread; deletes are rare and usually carry no media (no write then).
     */
    private void releaseMediaOf(ConversationEvent event, MessageDeleted d) {
        String conversation = event.getConversationId();
        CompletableFuture<Void> earlier = pending.get(conversation);
        if (earlier != null) {
            earlier.join(); // the post may be in this very batch: read after it is written
        }
        long bucket = HistoryTables.bucket(d.getTargetSeq());
        Row row = session.execute(mediaOfMessage.bind(conversation, bucket, d.getTargetSeq()))
                .one();
        List<String> media = row == null ? List.of() : row.getList(0, String.class);
        if (media == null || media.isEmpty()) {
            return; // no media, already tombstoned (a redelivery), or expired (its rows are gone already)
        }
        List<BoundStatement> releases = new ArrayList<>();
        for (String mediaId : media) {
            releases.add(releaseMedia.bind(HistoryTables.DAY.format(event.getTs()), event.getTs(), mediaId));
        }
        execute(releases).join();
        List<BoundStatement> unuses = new ArrayList<>();
        for (String mediaId : media) {
            unuses.add(unuseMedia.bind(mediaId, conversation, d.getTargetSeq()));
        }
        execute(unuses).join();
    }

    /**
     * A public channel's directory rows after a rename: the old name's deleted, the new one's written.
     * The old name is read from the conversations row (after this conversation's pending writes, as a
     * delete reads its message), before this event's own statements rename it. A replay of the log
     * from any point converges: the create rewrites its name and rows, each rename moves them on.
     */
    private List<BoundStatement> relist(String conversation, String newName) {
        CompletableFuture<Void> earlier = pending.get(conversation);
        if (earlier != null) {
            earlier.join();
        }
        Row row = session.execute(channelRow.bind(conversation)).one();
        if (row == null || !"public".equals(row.getString("visibility")) || newName == null) {
            return List.of(); // private, not created yet (its create lists it), or nothing to rename to
        }
        String oldName = row.getString("name");
        List<BoundStatement> out = new ArrayList<>();
        // the same key would be a delete and an insert of one row at one timestamp: the delete wins
        if (oldName != null && !ChannelNames.key(oldName).equals(ChannelNames.key(newName))) {
            for (String term : ChannelNames.terms(oldName)) {
                out.add(unlistChannel.bind(term, ChannelNames.key(oldName), conversation));
            }
        }
        out.addAll(listing(conversation, newName));
        return out;
    }

    private List<BoundStatement> listing(String conversation, String name) {
        List<BoundStatement> out = new ArrayList<>();
        String key = ChannelNames.key(name);
        for (String term : ChannelNames.terms(name)) {
            out.add(listChannel.bind(term, key, conversation, name));
        }
        return out;
    }

    private CompletableFuture<Void> execute(List<BoundStatement> statements) {
        List<CompletableFuture<?>> writes = new ArrayList<>();
        for (Statement<?> statement : batches(statements)) {
            inFlight.acquireUninterruptibly();
            CompletableFuture<?> write;
            try {
                write = session.executeAsync(statement).toCompletableFuture();
            } catch (RuntimeException e) {
                write = CompletableFuture.failedFuture(e);
            }
            writes.add(write.whenComplete((r, e) -> inFlight.release()));
        }
        return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).handle((ok, any) -> {
            Throwable chosen = null;
            for (CompletableFuture<?> w : writes) {
                Throwable e = w.handle((r, t) -> t).join();
                if (e == null) {
                    continue;
                }
                Throwable cause = WriteFailures.unwrap(e);
                if (WriteFailures.isRetriable(cause)) {
                    throw new CompletionException(cause);
                }
                chosen = chosen == null ? cause : chosen;
            }
            if (chosen != null) {
                throw new CompletionException(chosen);
            }
            return null;
        });
    }

    /** Closes the session it was given. */
    @Override
    public void close() {
        session.close();
    }

    /** One statement per partition where it fits, else unlogged single-partition batches. */
    List<Statement<?>> batches(List<BoundStatement> statements) {
        // keyed by the partition key's bytes: rows of two tables under one key are one mutation
        Map<ByteBuffer, List<BoundStatement>> byPartition = new LinkedHashMap<>();
        for (BoundStatement s : statements) {
            ByteBuffer key = s.getRoutingKey();
            byPartition
                    .computeIfAbsent(key == null ? ByteBuffer.allocate(0) : key.duplicate(), k -> new ArrayList<>())
                    .add(s);
        }
        List<Statement<?>> out = new ArrayList<>();
        for (List<BoundStatement> rows : byPartition.values()) {
            List<BoundStatement> batch = new ArrayList<>();
            int batchBytes = 0;
            for (BoundStatement row : rows) {
                int bytes = size(row);
                if (!batch.isEmpty() && batchBytes + bytes > maxBatchBytes) {
                    out.add(asStatement(batch));
                    batch = new ArrayList<>();
                    batchBytes = 0;
                }
                batch.add(row);
                batchBytes += bytes;
            }
            if (!batch.isEmpty()) {
                out.add(asStatement(batch));
            }
        }
        return out;
    }

    private static Statement<?> asStatement(List<BoundStatement> batch) {
        return batch.size() == 1
                ? batch.get(0)
                : BatchStatement.newInstance(BatchType.UNLOGGED).addAll(batch);
    }

    static int size(BoundStatement row) {
        int bytes = ROW_OVERHEAD_BYTES;
        for (int i = 0; i < row.size(); i++) {
            ByteBuffer value = row.getBytesUnsafe(i);
            bytes += value == null ? 0 : value.remaining();
        }
        return bytes;
    }

    /**
     * The TTL in seconds for rows of a message that disappears at {@code expiresAt}: 0 (none) for a
     * kept message, -1 when it has already expired (a replay or a lagging sink: write nothing). The
     * lifetime is counted from now, not from the write, so a late write expires on time.
     */
    int ttl(Long expiresAt) {
        if (expiresAt == null) {
            return 0;
        }
        long remaining = expiresAt - clock.millis();
        // Cassandra counts a TTL in whole seconds from its own second, truncated: a row could expire up
        // to a second early. One second more keeps history from hiding a message the topology still
        // lets its sender edit; clients drop it at expires_at anyway.
        return remaining <= 0 ? -1 : (int) Math.min(Integer.MAX_VALUE, (remaining + 999) / 1000 + 1);
    }

    private BoundStatement change(
            ConversationEvent e,
            String type,
            Long seq,
            List<String> added,
            List<String> removed,
            List<String> admins,
            Integer memberCount,
            String name,
            Long retentionSeconds) {
        if (e.getVersion() == 0) {
            return null; // written before v5: no change counter, no feed row (removed below)
        }
        return insertChange.bind(
                e.getConversationId(),
                HistoryTables.bucket(e.getVersion()),
                e.getVersion(),
                type,
                seq,
                e.getActor(),
                e.getTs(),
                added,
                removed,
                admins,
                memberCount,
                name,
                retentionSeconds,
                0); // never expires: the feed is dense, a row gone would be a gap (it holds no content)
    }

    List<BoundStatement> statements(ConversationEvent e) {
        String id = e.getConversationId();
        Instant ts = e.getTs();
        List<BoundStatement> out = new ArrayList<>();
        Object payload = e.getPayload();
        if (payload instanceof MessagePosted m) {
            Long expiresAt =
                    m.getRetentionSeconds() == null ? null : ts.toEpochMilli() + m.getRetentionSeconds() * 1000;
            int ttl = ttl(expiresAt);
            if (ttl >= 0) { // an expired message replayed: nothing of it is written
                out.add(insertMessage.bind(
                        id,
                        HistoryTables.bucket(e.getSeq()),
                        e.getSeq(),
                        m.getMessageId(),
                        e.getActor(),
                        m.getClientMsgId(),
                        m.getBody(),
                        m.getMedia(),
                        m.getReplyTo(),
                        ts,
                        e.getVersion(),
                        expiresAt == null ? null : Instant.ofEpochMilli(expiresAt),
                        m.getAttachments().stream()
                                .map(MediaDescriptors::toText)
                                .toList(),
                        ttl));
            }
            for (String mediaId : m.getMedia()) {
                if (ttl >= 0) {
                    out.add(useMedia.bind(mediaId, id, e.getSeq(), ttl));
                }
                if (expiresAt != null) { // its reference expires with it: the sweep looks again then
                    Instant due = Instant.ofEpochMilli(expiresAt);
                    out.add(releaseMedia.bind(HistoryTables.DAY.format(due), due, mediaId));
                }
            }
        } else if (payload instanceof ConversationCreated c) {
            out.add(createConversation.bind(
                    c.getType().name().toLowerCase(Locale.ROOT),
                    c.getName(),
                    e.getActor(),
                    ts,
                    new HashSet<>(c.getAdmins()),
                    id));
            for (String member : c.getMembers()) {
                out.add(addMember.bind(id, member, ts));
                out.add(addUserConversation.bind(ts, member, id));
            }
            out.add(memberCount.bind(c.getMembers().size(), id));
            if (c.getType() == ConversationType.CHANNEL && c.getVisibility() != null) {
                out.add(channelSettings.bind(
                        c.getVisibility().name().toLowerCase(Locale.ROOT),
                        c.getPosting() == null ? null : c.getPosting().name().toLowerCase(Locale.ROOT),
                        id));
                if (c.getVisibility() == ChannelVisibility.PUBLIC && c.getName() != null) {
                    out.addAll(listing(id, c.getName())); // private channels are never listed
                }
            }
        } else if (payload instanceof MembersChanged m) {
            for (String member : m.getAdded()) {
                out.add(addMember.bind(id, member, ts));
                out.add(addUserConversation.bind(ts, member, id));
            }
            for (String member : m.getRemoved()) {
                out.add(removeMember.bind(id, member));
                out.add(removeUserConversation.bind(member, id));
                out.add(dropReceipt.bind(id, member));
            }
            out.add(setAdmins.bind(new HashSet<>(m.getAdmins()), id));
            out.add(memberCount.bind(m.getMemberCount(), id));
            out.add(change(
                    e, "members", null, m.getAdded(), m.getRemoved(), m.getAdmins(), m.getMemberCount(), null, null));
        } else if (payload instanceof ConversationUpdated u) {
            out.add(rename.bind(u.getName(), id));
            out.add(setAdmins.bind(new HashSet<>(u.getAdmins()), id));
            out.add(change(e, "members", null, null, null, u.getAdmins(), null, u.getName(), null));
        } else if (payload instanceof RetentionChanged r) {
            out.add(change(e, "retention", null, null, null, null, null, null, r.getRetentionSeconds()));
        } else if (payload instanceof ReceiptAdvanced r) {
            out.add(receipt.bind(r.getDelivered(), r.getRead(), id, r.getUserId()));
            out.add(userWatermarks.bind(r.getDelivered(), r.getRead(), r.getUserId(), id));
        } else if (payload instanceof ReactionChanged r) {
            int ttl = ttl(r.getExpiresAt());
            long bucket = HistoryTables.bucket(r.getTargetSeq());
            if (ttl >= 0) { // nothing of an expired message is written again
                out.add(
                        r.getOp() == ReactionOp.ADD
                                ? addReaction.bind(id, bucket, r.getTargetSeq(), r.getUserId(), r.getEmoji(), ts, ttl)
                                : removeReaction.bind(id, bucket, r.getTargetSeq(), r.getUserId(), r.getEmoji()));
                if (e.getVersion() > 0) { // before v5 there is no version to record
                    out.add(touchMessage.bind(ttl, e.getVersion(), id, bucket, r.getTargetSeq()));
                }
            }
            out.add(change(e, "reaction", r.getTargetSeq(), null, null, null, null, null, null));
        } else if (payload instanceof MessageEdited m) {
            int ttl = ttl(m.getExpiresAt());
            if (ttl >= 0) {
                long bucket = HistoryTables.bucket(m.getTargetSeq());
                out.add(editMessage.bind(ttl, m.getBody(), ts, e.getVersion(), id, bucket, m.getTargetSeq()));
            }
            out.add(change(e, "edited", m.getTargetSeq(), null, null, null, null, null, null));
        } else if (payload instanceof MessageDeleted d) {
            int ttl = ttl(d.getExpiresAt());
            long bucket = HistoryTables.bucket(d.getTargetSeq());
            if (ttl >= 0) {
                out.add(deleteMessage.bind(ttl, e.getVersion(), id, bucket, d.getTargetSeq()));
            }
            // an expired message's reactions are deleted too: a delete must leave nothing behind
            out.add(deleteReactions.bind(id, bucket, d.getTargetSeq()));
            out.add(change(e, "deleted", d.getTargetSeq(), null, null, null, null, null, null));
        }
        out.removeIf(java.util.Objects::isNull);
        return out;
    }
}
