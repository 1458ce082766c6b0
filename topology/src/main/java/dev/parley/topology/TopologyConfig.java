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
 */
public record TopologyConfig(
        Duration dedupWindow, int maxGroupMembers, int maxBodyBytes, int receiptFanoutMaxMembers, int previewChars) {

    public static final Duration DEFAULT_DEDUP_WINDOW = Duration.ofHours(24);
    public static final int DEFAULT_MAX_GROUP_MEMBERS = 1024;
    public static final int DEFAULT_MAX_BODY_BYTES = 64 * 1024;
    public static final int DEFAULT_RECEIPT_FANOUT_MAX_MEMBERS = 32;
    public static final int DEFAULT_PREVIEW_CHARS = 120;

    public TopologyConfig {
        if (dedupWindow.isNegative() || dedupWindow.isZero()) {
            throw new IllegalArgumentException("dedup window must be positive");
        }
        if (maxGroupMembers < 2 || maxBodyBytes < 1 || receiptFanoutMaxMembers < 0 || previewChars < 0) {
            throw new IllegalArgumentException("limits out of range");
        }
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
