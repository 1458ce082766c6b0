package dev.parley.connect.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchType;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import dev.parley.schema.ConversationCreated;
import dev.parley.schema.ConversationEvent;
import dev.parley.schema.ConversationUpdated;
import dev.parley.schema.HistoryTables;
import dev.parley.schema.MembersChanged;
import dev.parley.schema.MessagePosted;
import dev.parley.schema.ReactionChanged;
import dev.parley.schema.ReactionOp;
import dev.parley.schema.ReceiptAdvanced;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionStage;

/**
 * Turns one event into idempotent upserts: writing the same event twice, or replaying the whole
 * topic, leaves the same rows. The last seq of a conversation is written with the seq as its cell
 * timestamp, so it never moves backwards even when an old event is replayed after a newer one.
 */
public final class EventWriter {

    private final CqlSession session;
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

    public EventWriter(CqlSession session, String keyspace, String replication) {
        this.session = session;
        for (String ddl : HistoryTables.ddl(keyspace, replication)) {
            session.execute(ddl);
        }
        String k = keyspace + ".";
        insertMessage = session.prepare("INSERT INTO " + k + "messages (conversation_id, bucket, seq, message_id,"
                + " sender, client_msg_id, body, media, reply_to, created_at, edited, deleted)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, false, false)");
        advanceConversation = session.prepare("UPDATE " + k + "conversations USING TIMESTAMP ?"
                + " SET last_seq = ?, last_activity = ? WHERE conversation_id = ?");
        createConversation = session.prepare("UPDATE " + k + "conversations SET type = ?, name = ?, creator = ?,"
                + " created_at = ?, admins = ? WHERE conversation_id = ?");
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
                + " created_at) VALUES (?, ?, ?, ?, ?, ?)");
        removeReaction = session.prepare("DELETE FROM " + k + "reactions WHERE conversation_id = ? AND bucket = ?"
                + " AND seq = ? AND user_id = ? AND emoji = ?");
    }

    /** The writes of one event, as one unlogged batch when it touches several rows. */
    public CompletionStage<AsyncResultSet> write(ConversationEvent event) {
        List<BoundStatement> statements = statements(event);
        if (statements.isEmpty()) {
            return java.util.concurrent.CompletableFuture.completedFuture(null);
        }
        if (statements.size() == 1) {
            return session.executeAsync(statements.get(0));
        }
        return session.executeAsync(
                BatchStatement.newInstance(BatchType.UNLOGGED).addAll(statements));
    }

    List<BoundStatement> statements(ConversationEvent e) {
        String id = e.getConversationId();
        Instant ts = e.getTs();
        List<BoundStatement> out = new ArrayList<>();
        Object payload = e.getPayload();
        if (payload instanceof MessagePosted m) {
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
                    ts));
            out.add(advanceConversation.bind(e.getSeq(), e.getSeq(), ts, id));
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
        } else if (payload instanceof MembersChanged m) {
            for (String member : m.getAdded()) {
                out.add(addMember.bind(id, member, ts));
                out.add(addUserConversation.bind(ts, member, id));
            }
            for (String member : m.getRemoved()) {
                out.add(removeMember.bind(id, member));
                out.add(removeUserConversation.bind(member, id));
            }
            out.add(setAdmins.bind(new HashSet<>(m.getAdmins()), id));
        } else if (payload instanceof ConversationUpdated u) {
            out.add(rename.bind(u.getName(), id));
            out.add(setAdmins.bind(new HashSet<>(u.getAdmins()), id));
        } else if (payload instanceof ReceiptAdvanced r) {
            out.add(receipt.bind(r.getDelivered(), r.getRead(), id, r.getUserId()));
            out.add(userWatermarks.bind(r.getDelivered(), r.getRead(), r.getUserId(), id));
        } else if (payload instanceof ReactionChanged r) {
            long bucket = HistoryTables.bucket(r.getTargetSeq());
            out.add(
                    r.getOp() == ReactionOp.ADD
                            ? addReaction.bind(id, bucket, r.getTargetSeq(), r.getUserId(), r.getEmoji(), ts)
                            : removeReaction.bind(id, bucket, r.getTargetSeq(), r.getUserId(), r.getEmoji()));
        }
        return out;
    }
}
