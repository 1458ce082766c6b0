package dev.parley.topology.conversation;

import dev.parley.topology.store.ChannelMember;
import dev.parley.topology.store.ConversationMeta;
import dev.parley.topology.store.DedupEntry;
import dev.parley.topology.store.MessageState;
import dev.parley.topology.store.ReceiptState;
import java.time.Duration;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * The topology's state stores behind one small API. The stores are separate on purpose: a message
 * writes only its seq and dedup entry, so changelog bytes per message do not grow with group size.
 * Composite keys join parts with U+001F, a control character the edge rejects in ids.
 */
public final class ConversationState {

    static final char SEPARATOR = '\u001f';

    private final KeyValueStore<String, ConversationMeta> meta;
    private final KeyValueStore<String, Long> seq;
    private final WindowStore<String, DedupEntry> dedup;
    private final KeyValueStore<String, ReceiptState> receipts;
    private final KeyValueStore<String, Long> reactions;
    private final KeyValueStore<String, Long> versions;
    private final WindowStore<String, MessageState> messageIndex;
    private final KeyValueStore<String, Long> deleted;
    private final KeyValueStore<String, ChannelMember> channelMembers;
    private final KeyValueStore<String, Long> channelInterest;
    private final long dedupWindowMillis;
    private final long indexRetentionMillis;

    public ConversationState(
            KeyValueStore<String, ConversationMeta> meta,
            KeyValueStore<String, Long> seq,
            WindowStore<String, DedupEntry> dedup,
            KeyValueStore<String, ReceiptState> receipts,
            KeyValueStore<String, Long> reactions,
            KeyValueStore<String, Long> versions,
            WindowStore<String, MessageState> messageIndex,
            KeyValueStore<String, Long> deleted,
            KeyValueStore<String, ChannelMember> channelMembers,
            KeyValueStore<String, Long> channelInterest,
            Duration dedupWindow,
            Duration indexRetention) {
        this.meta = meta;
        this.seq = seq;
        this.dedup = dedup;
        this.receipts = receipts;
        this.reactions = reactions;
        this.versions = versions;
        this.messageIndex = messageIndex;
        this.deleted = deleted;
        this.channelMembers = channelMembers;
        this.channelInterest = channelInterest;
        this.dedupWindowMillis = dedupWindow.toMillis();
        this.indexRetentionMillis = indexRetention.toMillis();
    }

    /** The conversation's change counter: 0 until its first edit, delete, reaction or membership change. */
    public long version(String conversationId) {
        Long v = versions.get(conversationId);
        return v == null ? 0L : v;
    }

    public void putVersion(String conversationId, long value) {
        versions.put(conversationId, value);
    }

    /**
     * Files who sent message {@code seq} and when, for the edit and delete rules. One entry per
     * message, kept by the window store for {@code indexRetention} of stream time and then dropped
     * whole segments at a time: the store holds the messages of the last two days, not all of them.
     */
    public void indexMessage(
            String conversationId, long seq, String sender, long ts, Long retentionSeconds, long streamTime) {
        messageIndex.put(
                key(conversationId, Long.toString(seq)),
                new MessageState(sender, ts, streamTime, retentionSeconds),
                streamTime);
    }

    /** Sender and time of message {@code seq}, or null once it is older than the index keeps. */
    public MessageState indexedMessage(String conversationId, long seq, long streamTime) {
        long from = Math.max(0, streamTime - indexRetentionMillis + 1);
        try (WindowStoreIterator<MessageState> it =
                messageIndex.fetch(key(conversationId, Long.toString(seq)), from, Long.MAX_VALUE)) {
            return it.hasNext() ? it.next().value : null;
        }
    }

    /** When an indexed message disappears by the retention it was posted under; null: kept or not known. */
    public static Long expiresAt(MessageState message) {
        return message == null || message.getRetentionSeconds() == null
                ? null
                : message.getTs() + message.getRetentionSeconds() * 1000;
    }

    /** Whether message {@code seq} was deleted for everyone (kept for good: one entry per delete). */
    public boolean isDeleted(String conversationId, long seq) {
        return deleted.get(key(conversationId, Long.toString(seq))) != null;
    }

    public void markDeleted(String conversationId, long seq, long version) {
        deleted.put(key(conversationId, Long.toString(seq)), version);
    }

    /**
     * The dedup entry of an earlier edit or delete ({@code kind}) with the same client id. Its key has
     * four parts where a send's has three, so a client id reused across kinds never collides.
     */
    public DedupEntry findCommand(
            String conversationId, String sender, String kind, String clientMsgId, long streamTime) {
        return findSend(conversationId, sender, clientMsgId + SEPARATOR + kind, streamTime);
    }

    public void rememberCommand(
            String conversationId, String sender, String kind, String clientMsgId, DedupEntry entry, long streamTime) {
        rememberSend(conversationId, sender, clientMsgId + SEPARATOR + kind, entry, streamTime);
    }

    public ConversationMeta meta(String conversationId) {
        return meta.get(conversationId);
    }

    public void putMeta(String conversationId, ConversationMeta value) {
        meta.put(conversationId, value);
    }

    public long lastSeq(String conversationId) {
        Long last = seq.get(conversationId);
        return last == null ? 0L : last;
    }

    public void putLastSeq(String conversationId, long value) {
        seq.put(conversationId, value);
    }

    /**
     * The entry of an earlier send with the same key remembered within the window before {@code
     * streamTime}. Entries are filed under the partition's stream time, not the record's own
     * timestamp, so the lookup does not depend on the retry's clock: a retry stamped hours in the past
     * (an edge clock behind, or an older topic still on producer time) finds its original, and an
     * entry is never filed into a segment already expired (the window store drops such puts).
     */
    public DedupEntry findSend(String conversationId, String sender, String clientMsgId, long streamTime) {
        String key = key(conversationId, sender, clientMsgId);
        long from = Math.max(0, streamTime - dedupWindowMillis + 1);
        // no upper bound: entries an older release filed under their record time are found too
        try (WindowStoreIterator<DedupEntry> it = dedup.fetch(key, from, Long.MAX_VALUE)) {
            return it.hasNext() ? it.next().value : null;
        }
    }

    public void rememberSend(
            String conversationId, String sender, String clientMsgId, DedupEntry entry, long streamTime) {
        dedup.put(key(conversationId, sender, clientMsgId), entry, streamTime);
    }

    public ReceiptState receipt(String conversationId, String userId) {
        ReceiptState state = receipts.get(key(conversationId, userId));
        return state == null ? new ReceiptState(0L, 0L) : state;
    }

    public void putReceipt(String conversationId, String userId, ReceiptState state) {
        receipts.put(key(conversationId, userId), state);
    }

    public boolean hasReaction(String conversationId, long seq, String userId, String emoji) {
        return reactions.get(reactionKey(conversationId, seq, userId, emoji)) != null;
    }

    public void addReaction(String conversationId, long seq, String userId, String emoji, long timestamp) {
        reactions.put(reactionKey(conversationId, seq, userId, emoji), timestamp);
    }

    public void removeReaction(String conversationId, long seq, String userId, String emoji) {
        reactions.delete(reactionKey(conversationId, seq, userId, emoji));
    }

    private static String reactionKey(String conversationId, long seq, String userId, String emoji) {
        return key(conversationId, Long.toString(seq), userId, emoji);
    }

    /**
     * Whether {@code userId} is a member: of a direct conversation or group from its meta record, of a
     * channel (v6) by one point lookup in the channel-members store, never by reading the channel's
     * members.
     */
    public boolean isMember(String conversationId, ConversationMeta meta, String userId) {
        if (meta == null) {
            return false;
        }
        return meta.getChannel() != null
                ? channelMember(conversationId, userId) != null
                : Membership.isMember(meta, userId);
    }

    /** A channel's member entry (channel|user), or null. */
    public ChannelMember channelMember(String channelId, String userId) {
        return channelMembers.get(key(channelId, userId));
    }

    public void putChannelMember(String channelId, String userId, ChannelMember member) {
        channelMembers.put(key(channelId, userId), member);
    }

    public void deleteChannelMember(String channelId, String userId) {
        channelMembers.delete(key(channelId, userId));
    }

    /** Edge {@code edgeId} holds a member's socket of the channel until {@code expiresAt} (epoch ms). */
    public void putInterest(String channelId, String edgeId, long expiresAt) {
        channelInterest.put(key(channelId, edgeId), expiresAt);
    }

    public void deleteInterest(String channelId, String edgeId) {
        channelInterest.delete(key(channelId, edgeId));
    }

    /**
     * The edges whose interest in the channel has not expired at {@code now} (the command's timestamp):
     * one prefix scan over channel|*, as many entries as edges. Expired entries are deleted on the way,
     * deterministically (the same record removes the same entries on a replay).
     */
    public java.util.List<String> interestedEdges(String channelId, long now) {
        java.util.List<String> live = new java.util.ArrayList<>();
        java.util.List<String> expired = new java.util.ArrayList<>();
        String prefix = channelId + SEPARATOR;
        try (var it =
                channelInterest.prefixScan(prefix, new org.apache.kafka.common.serialization.StringSerializer())) {
            while (it.hasNext()) {
                var entry = it.next();
                if (entry.value != null && entry.value > now) {
                    live.add(entry.key.substring(prefix.length()));
                } else {
                    expired.add(entry.key);
                }
            }
        }
        expired.forEach(channelInterest::delete);
        return live;
    }

    static String key(String... parts) {
        return String.join(String.valueOf(SEPARATOR), parts);
    }
}
