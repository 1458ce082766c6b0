package dev.parley.schema;

import java.util.List;

/**
 * The Cassandra tables of DESIGN section 4, a contract for readers: the sink writes them, the edge
 * reads them. Partitions stay bounded: messages and reactions are bucketed by seq ({@link #bucket}),
 * so paging by seq needs no time arithmetic. {@code conversation_members} is an addition: the read
 * side's membership check, one partition read.
 */
public final class HistoryTables {

    public static final int BUCKET_SIZE = 1000;

    private HistoryTables() {}

    public static long bucket(long seq) {
        return seq / BUCKET_SIZE;
    }

    /** Idempotent DDL, keyspace first. */
    public static List<String> ddl(String keyspace, String replication) {
        String k = keyspace + ".";
        return List.of(
                "CREATE KEYSPACE IF NOT EXISTS " + keyspace + " WITH replication = " + replication,
                "CREATE TABLE IF NOT EXISTS " + k + "messages (conversation_id text, bucket bigint, seq bigint,"
                        + " message_id bigint, sender text, client_msg_id text, body text, media list<text>,"
                        + " reply_to bigint, created_at timestamp, edited boolean, deleted boolean,"
                        + " PRIMARY KEY ((conversation_id, bucket), seq)) WITH CLUSTERING ORDER BY (seq DESC)",
                "CREATE TABLE IF NOT EXISTS " + k + "conversations (conversation_id text PRIMARY KEY, type text,"
                        + " name text, creator text, created_at timestamp, last_seq bigint,"
                        + " last_activity timestamp, admins set<text>)",
                "CREATE TABLE IF NOT EXISTS " + k + "conversation_members (conversation_id text, user_id text,"
                        + " joined_at timestamp, PRIMARY KEY ((conversation_id), user_id))",
                "CREATE TABLE IF NOT EXISTS " + k + "conversations_by_user (user_id text, conversation_id text,"
                        + " delivered bigint, read bigint, muted boolean, joined_at timestamp,"
                        + " PRIMARY KEY ((user_id), conversation_id))",
                "CREATE TABLE IF NOT EXISTS " + k + "receipts (conversation_id text, user_id text, delivered bigint,"
                        + " read bigint, PRIMARY KEY ((conversation_id), user_id))",
                "CREATE TABLE IF NOT EXISTS " + k + "reactions (conversation_id text, bucket bigint, seq bigint,"
                        + " user_id text, emoji text, created_at timestamp,"
                        + " PRIMARY KEY ((conversation_id, bucket), seq, user_id, emoji))");
    }
}
