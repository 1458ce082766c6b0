package dev.parley.topology.notification;

import dev.parley.schema.DeviceSet;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;

/**
 * When a push may go out and what it says: at most one per (device, conversation) per {@code
 * minInterval}, none inside the user's quiet hours, and no message text for content-free users.
 */
public final class PushPolicy {

    private final Duration minInterval;

    public PushPolicy(Duration minInterval) {
        this.minInterval = minInterval;
    }

    public Duration minInterval() {
        return minInterval;
    }

    public boolean dueAgain(long lastSentAt, long now) {
        return lastSentAt == 0 || now - lastSentAt >= minInterval.toMillis();
    }

    /**
     * When a (device, conversation) entry needs looking at again: a held push when both the interval
     * since the last push and any quiet hours have passed; an idle one ({@code held} 0) when the
     * interval has passed and it can be forgotten. Always after {@code now} unless due already.
     */
    public long nextCheck(long lastSentAt, int held, DeviceSet devices, long now) {
        long due = lastSentAt == 0 ? now : lastSentAt + minInterval.toMillis();
        if (held > 0 && devices != null && isQuiet(devices, now)) {
            due = Math.max(due, quietEndsAt(devices, now));
        }
        return due;
    }

    /** The first minute after {@code nowMillis} that is outside the quiet hours (call only inside them). */
    static long quietEndsAt(DeviceSet devices, long nowMillis) {
        ZonedDateTime local = Instant.ofEpochMilli(nowMillis).atZone(zone(devices));
        int end = devices.getQuietEndMinute();
        ZonedDateTime at = local.toLocalDate().atTime(end / 60, end % 60).atZone(local.getZone());
        if (!at.isAfter(local)) {
            at = at.plusDays(1);
        }
        return at.toInstant().toEpochMilli();
    }

    private static ZoneId zone(DeviceSet devices) {
        try {
            return ZoneId.of(devices.getTimeZone());
        } catch (RuntimeException e) {
            return ZoneId.of("UTC");
        }
    }

    /** Inside the quiet window, in the user's time zone; a window may wrap midnight (22:00-07:00). */
    public static boolean isQuiet(DeviceSet devices, long nowMillis) {
        Integer start = devices.getQuietStartMinute();
        Integer end = devices.getQuietEndMinute();
        if (start == null || end == null || start.equals(end)) {
            return false;
        }
        ZonedDateTime local = Instant.ofEpochMilli(nowMillis).atZone(zone(devices));
        int minute = local.getHour() * 60 + local.getMinute();
        return start < end ? minute >= start && minute < end : minute >= start || minute < end;
    }

    public static String title(String sender, String conversationName, boolean group) {
        return group && conversationName != null ? conversationName : sender;
    }

    /** The text of a push: the preview for one message, a count for several, nothing if content-free. */
    public static String body(int count, String sender, String preview, boolean contentFree) {
        if (contentFree) {
            return null;
        }
        if (count == 1 && preview != null) {
            return preview;
        }
        // a held message whose text is gone (deleted for everyone) is counted, never shown
        return count == 1 ? "1 new message from " + sender : count + " new messages from " + sender;
    }
}
