package dev.parley.topology.notification;

import dev.parley.schema.ConversationType;
import dev.parley.schema.Device;
import dev.parley.schema.DeviceSet;
import dev.parley.schema.Notification;
import dev.parley.schema.PushRequest;
import dev.parley.topology.store.PendingPush;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Decides which device gets which push.
 *
 * <p>In: {@link Notification} keyed by user id (a message for a user with no live session). Out:
 * {@link PushRequest} keyed by device id, one per device, to {@link #PUSH_SINK}. A user without
 * devices or who muted the conversation gets nothing. The first message to a (device, conversation)
 * goes out at once; later ones within the interval are held and leave together, coalesced into a
 * count, when a wall-clock punctuation finds the interval passed. Quiet hours hold everything until
 * they end. Rate limiting uses the wall clock, not record time: it is about what a phone shows now.
 *
 * <p>A punctuation reads only the entries due now, through the {@code pending-pushes-due} index
 * ({@link PendingPushes}), and at most {@code maxPerPunctuation} of them: the rest are next in line
 * at the next punctuation, so a burst of held pushes never holds the stream thread for long.
 */
final class PushPlanner extends ContextualProcessor<String, Notification, String, PushRequest> {

    static final String PUSH_SINK = "push-sink";
    private static final char SEPARATOR = '\u001f';

    private final PushPolicy policy;
    private final Duration punctuateEvery;
    private final int maxPerPunctuation;
    private KeyValueStore<String, DeviceSet> devices;
    private PendingPushes pending;

    PushPlanner(PushPolicy policy, Duration punctuateEvery, int maxPerPunctuation) {
        this.policy = policy;
        this.punctuateEvery = punctuateEvery;
        this.maxPerPunctuation = maxPerPunctuation;
    }

    @Override
    public void init(ProcessorContext<String, PushRequest> context) {
        super.init(context);
        devices = context.getStateStore(NotificationTopology.DEVICES_STORE);
        pending = new PendingPushes(
                context.getStateStore(NotificationTopology.PENDING_STORE),
                context.getStateStore(NotificationTopology.PENDING_DUE_STORE));
        pending.skipBackfillIfEmpty();
        context.schedule(punctuateEvery, PunctuationType.WALL_CLOCK_TIME, this::releaseHeld);
    }

    @Override
    public void process(Record<String, Notification> record) {
        Notification n = record.value();
        DeviceSet set = devices.get(record.key());
        if (n == null || set == null || set.getMutedConversations().contains(n.getConversationId())) {
            return;
        }
        if (n.getRetracted()) {
            retract(n, set);
            return;
        }
        long now = context().currentSystemTimeMs();
        String from = n.getSenderName() != null ? n.getSenderName() : n.getSender();
        boolean quiet = PushPolicy.isQuiet(set, now);
        boolean group = n.getConversationType() != ConversationType.DIRECT; // a channel reads like a group
        for (Device device : set.getDevices()) {
            String key = key(n.getUserId(), device.getDeviceId(), n.getConversationId());
            PendingPush state = pending.get(key);
            long lastSentAt = state == null ? 0 : state.getLastSentAt();
            int held = state == null ? 0 : state.getHeld();
            if (!quiet && held == 0 && policy.dueAgain(lastSentAt, now)) {
                emit(
                        set,
                        device,
                        n.getConversationId(),
                        1,
                        n.getSeq(),
                        from,
                        n.getPreview(),
                        n.getConversationName(),
                        group,
                        now);
                pending.put(
                        key,
                        new PendingPush(now, 0, n.getSeq(), from, null, n.getConversationName(), group, 0L),
                        policy.nextCheck(now, 0, set, now));
            } else {
                pending.put(
                        key,
                        new PendingPush(
                                lastSentAt,
                                held + 1,
                                n.getSeq(),
                                from,
                                n.getPreview(),
                                n.getConversationName(),
                                group,
                                0L),
                        policy.nextCheck(lastSentAt, held + 1, set, now));
            }
        }
    }

    /**
     * Message {@code n.seq} was deleted for everyone. A push already sent is not recalled; one still
     * held whose preview is that message's loses the preview, and is dropped when it was the only
     * message held. A held push previewing a later message keeps it (its count may include the
     * deleted one: which seqs it counts is not kept).
     */
    private void retract(Notification n, DeviceSet set) {
        for (Device device : set.getDevices()) {
            String key = key(n.getUserId(), device.getDeviceId(), n.getConversationId());
            PendingPush state = pending.get(key);
            if (state == null || state.getHeld() == 0 || state.getLatestSeq() != n.getSeq()) {
                continue;
            }
            state.setHeld(state.getHeld() - 1);
            state.setPreview(null);
            pending.update(key, state); // still filed where it was: released or forgotten once due
        }
    }

    /** Sends what was held once its interval (and any quiet hours) passed; forgets idle entries. */
    void releaseHeld(long now) {
        int budget = maxPerPunctuation - pending.backfill(now, maxPerPunctuation);
        for (KeyValue<String, PendingPush> entry : pending.due(now, budget)) {
            String key = entry.key;
            PendingPush state = entry.value;
            String[] parts = key.split(String.valueOf(SEPARATOR), 3);
            if (state.getHeld() == 0) {
                if (policy.dueAgain(state.getLastSentAt(), now)) {
                    pending.delete(key);
                } else {
                    pending.put(key, state, policy.nextCheck(state.getLastSentAt(), 0, null, now));
                }
                continue;
            }
            DeviceSet set = devices.get(parts[0]);
            Device device = set == null ? null : find(set, parts[1]);
            if (device == null || set.getMutedConversations().contains(parts[2])) {
                pending.delete(key);
                continue;
            }
            if (PushPolicy.isQuiet(set, now) || !policy.dueAgain(state.getLastSentAt(), now)) {
                pending.put(key, state, policy.nextCheck(state.getLastSentAt(), state.getHeld(), set, now));
                continue;
            }
            emit(
                    set,
                    device,
                    parts[2],
                    state.getHeld(),
                    state.getLatestSeq(),
                    state.getSender(),
                    state.getPreview(),
                    state.getConversationName(),
                    state.getGroup(),
                    now);
            pending.put(
                    key,
                    new PendingPush(
                            now,
                            0,
                            state.getLatestSeq(),
                            state.getSender(),
                            null,
                            state.getConversationName(),
                            state.getGroup(),
                            0L),
                    policy.nextCheck(now, 0, set, now));
        }
    }

    private void emit(
            DeviceSet set,
            Device device,
            String conversationId,
            int count,
            long seq,
            String sender,
            String preview,
            String conversationName,
            boolean group,
            long now) {
        boolean contentFree = set.getContentFree();
        PushRequest push = new PushRequest(
                device.getDeviceId(),
                set.getUserId(),
                device.getPlatform(),
                device.getToken(),
                device.getWebPush(),
                conversationId,
                contentFree ? null : PushPolicy.title(sender, conversationName, group),
                PushPolicy.body(count, sender, preview, contentFree),
                count,
                seq,
                Instant.ofEpochMilli(now));
        context().forward(new Record<>(device.getDeviceId(), push, now), PUSH_SINK);
    }

    private static Device find(DeviceSet set, String deviceId) {
        for (Device d : set.getDevices()) {
            if (d.getDeviceId().equals(deviceId)) {
                return d;
            }
        }
        return null;
    }

    static String key(String user, String device, String conversation) {
        return user + SEPARATOR + device + SEPARATOR + conversation;
    }
}
