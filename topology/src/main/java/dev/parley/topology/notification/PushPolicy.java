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

    /** Inside the quiet window, in the user's time zone; a window may wrap midnight (22:00-07:00). */
    public static boolean isQuiet(DeviceSet devices, long nowMillis) {
        Integer start = devices.getQuietStartMinute();
        Integer end = devices.getQuietEndMinute();
        if (start == null || end == null || start.equals(end)) {
            return false;
        }
        ZoneId zone;
        try {
            zone = ZoneId.of(devices.getTimeZone());
        } catch (RuntimeException e) {
            zone = ZoneId.of("UTC");
        }
        ZonedDateTime local = Instant.ofEpochMilli(nowMillis).atZone(zone);
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
        return count + " new messages from " + sender;
    }
}
