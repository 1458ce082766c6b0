package dev.parley.topology.notification;

import dev.parley.schema.Device;
import dev.parley.schema.DeviceSet;
import dev.parley.schema.ReadMarker;
import dev.parley.topology.store.PendingPush;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * In: {@link ReadMarker} keyed by user. Drops pushes held back (rate limit, quiet hours) for a
 * conversation the user has since read up to the held message on some device, so a phone is not
 * buzzed about messages already seen. Pushes already sent are not recalled.
 *
 * <p>Markers and notifications for one user arrive on co-partitioned topics; Streams takes the
 * record with the lower timestamp first, so a read after a message is applied after it.
 */
final class ReadMarkApplier implements Processor<String, ReadMarker, Void, Void> {

    private KeyValueStore<String, DeviceSet> devices;
    private PendingPushes pending;

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        devices = context.getStateStore(NotificationTopology.DEVICES_STORE);
        pending = new PendingPushes(
                context.getStateStore(NotificationTopology.PENDING_STORE),
                context.getStateStore(NotificationTopology.PENDING_DUE_STORE));
    }

    @Override
    public void process(Record<String, ReadMarker> record) {
        ReadMarker marker = record.value();
        DeviceSet set = marker == null ? null : devices.get(record.key());
        if (set == null) {
            return;
        }
        for (Device device : set.getDevices()) {
            String key = PushPlanner.key(record.key(), device.getDeviceId(), marker.getConversationId());
            PendingPush state = pending.get(key);
            if (state != null && state.getHeld() > 0 && state.getLatestSeq() <= marker.getReadSeq()) {
                state.setHeld(0);
                state.setPreview(null);
                pending.update(key, state); // still filed where it was: it is forgotten once due
            }
        }
    }
}
