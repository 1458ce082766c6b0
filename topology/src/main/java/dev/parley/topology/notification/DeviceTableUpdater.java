package dev.parley.topology.notification;

import dev.parley.schema.DeviceSet;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keeps the {@code devices} store equal to the compacted parley.devices.v1 (key user id): a
 * DeviceSet replaces the user's entry, a tombstone removes it. Emits nothing.
 */
final class DeviceTableUpdater implements Processor<String, DeviceSet, Void, Void> {

    private KeyValueStore<String, DeviceSet> devices;

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        devices = context.getStateStore(NotificationTopology.DEVICES_STORE);
    }

    @Override
    public void process(Record<String, DeviceSet> record) {
        if (record.key() == null) {
            return;
        }
        if (record.value() == null || record.value().getDevices().isEmpty()) {
            devices.delete(record.key());
        } else {
            devices.put(record.key(), record.value());
        }
    }
}
