package dev.parley.topology.signal;

import dev.parley.topology.store.ConversationMeta;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keeps {@link SignalTopology#MEMBERS_STORE} equal to the conversation topology's committed {@code
 * conversation-meta} changelog (read read_committed, so an aborted membership change is never
 * honoured); a tombstone removes the conversation.
 */
final class MembersUpdater implements Processor<String, ConversationMeta, Void, Void> {

    private KeyValueStore<String, ConversationMeta> members;

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        members = context.getStateStore(SignalTopology.MEMBERS_STORE);
    }

    @Override
    public void process(Record<String, ConversationMeta> record) {
        if (record.value() == null) {
            members.delete(record.key());
        } else {
            members.put(record.key(), record.value());
        }
    }
}
