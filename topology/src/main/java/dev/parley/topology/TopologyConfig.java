package dev.parley.topology;

import java.time.Duration;

/**
 * The rules ConversationTopology enforces: pure values, so a test builds the production topology
 * with the same knobs an operator sets.
 *
 * @param dedupWindow how long a client message id is remembered for retries
 * @param maxGroupMembers member cap of a group
 * @param maxBodyBytes largest message body, in UTF-8 bytes
 * @param receiptFanoutMaxMembers receipts go to every member only up to this size; above it only
 *     to the reader's own devices
 * @param previewChars how much of a body a notification carries
 * @param editWindow how long after posting its sender may edit a message
 * @param deleteWindow how long after posting its sender may delete a message for everyone (admins: always)
 * @param minRetentionSeconds the shortest disappearing-messages retention a conversation may set
 * @param maxMentions most distinct mentioned users of one message; one more refuses the message
 * @param channelInterestMaxTtl longest an edge's interest in a channel lasts without renewal
 */
public record TopologyConfig(
        Duration dedupWindow,
        int maxGroupMembers,
        int maxBodyBytes,
        int receiptFanoutMaxMembers,
        int previewChars,
        Duration editWindow,
        Duration deleteWindow,
        long minRetentionSeconds,
        int maxMentions,
        Duration channelInterestMaxTtl) {

    public static final Duration DEFAULT_DEDUP_WINDOW = Duration.ofHours(24);
    public static final int DEFAULT_MAX_GROUP_MEMBERS = 1024;
    public static final int DEFAULT_MAX_BODY_BYTES = 64 * 1024;
    public static final int DEFAULT_RECEIPT_FANOUT_MAX_MEMBERS = 32;
    public static final int DEFAULT_PREVIEW_CHARS = 120;
    public static final Duration DEFAULT_EDIT_WINDOW = Duration.ofHours(24);
    public static final Duration DEFAULT_DELETE_WINDOW = Duration.ofHours(48);
    public static final long DEFAULT_MIN_RETENTION_SECONDS = 60;
    public static final int DEFAULT_MAX_MENTIONS = 32;
    public static final Duration DEFAULT_CHANNEL_INTEREST_MAX_TTL = Duration.ofMinutes(5);
    /** Ten years of 365 days: the longest retention DESIGN 7.3 allows. */
    public static final long MAX_RETENTION_SECONDS = 10L * 365 * 24 * 3600;

    public TopologyConfig {
        if (dedupWindow.isNegative() || dedupWindow.isZero()) {
            throw new IllegalArgumentException("dedup window must be positive");
        }
        if (maxGroupMembers < 2 || maxBodyBytes < 1 || receiptFanoutMaxMembers < 0 || previewChars < 0) {
            throw new IllegalArgumentException("limits out of range");
        }
        if (editWindow.isNegative() || deleteWindow.isNegative() || minRetentionSeconds < 1) {
            throw new IllegalArgumentException("edit/delete windows and retention floor out of range");
        }
        if (maxMentions < 0 || channelInterestMaxTtl.isNegative() || channelInterestMaxTtl.isZero()) {
            throw new IllegalArgumentException("mention cap and channel interest TTL out of range");
        }
    }

    /** The v5 rule set with the default mention cap and channel interest TTL. */
    public TopologyConfig(
            Duration dedupWindow,
            int maxGroupMembers,
            int maxBodyBytes,
            int receiptFanoutMaxMembers,
            int previewChars,
            Duration editWindow,
            Duration deleteWindow,
            long minRetentionSeconds) {
        this(
                dedupWindow,
                maxGroupMembers,
                maxBodyBytes,
                receiptFanoutMaxMembers,
                previewChars,
                editWindow,
                deleteWindow,
                minRetentionSeconds,
                DEFAULT_MAX_MENTIONS,
                DEFAULT_CHANNEL_INTEREST_MAX_TTL);
    }

    /** The v4 rule set with the default edit and delete windows. */
    public TopologyConfig(
            Duration dedupWindow,
            int maxGroupMembers,
            int maxBodyBytes,
            int receiptFanoutMaxMembers,
            int previewChars) {
        this(
                dedupWindow,
                maxGroupMembers,
                maxBodyBytes,
                receiptFanoutMaxMembers,
                previewChars,
                DEFAULT_EDIT_WINDOW,
                DEFAULT_DELETE_WINDOW,
                DEFAULT_MIN_RETENTION_SECONDS);
    }

    /**
     * How long the message index remembers a message's sender and time: long enough for every
     * window that asks (at least a minute, so a zero window still keeps a store that works).
     */
    public Duration messageIndexRetention() {
        Duration longest = editWindow.compareTo(deleteWindow) >= 0 ? editWindow : deleteWindow;
        return longest.compareTo(Duration.ofMinutes(1)) >= 0 ? longest : Duration.ofMinutes(1);
    }

    public static TopologyConfig defaults() {
        return new TopologyConfig(
                DEFAULT_DEDUP_WINDOW,
                DEFAULT_MAX_GROUP_MEMBERS,
                DEFAULT_MAX_BODY_BYTES,
                DEFAULT_RECEIPT_FANOUT_MAX_MEMBERS,
                DEFAULT_PREVIEW_CHARS);
    }
}
