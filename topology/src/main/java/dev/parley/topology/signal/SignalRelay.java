package dev.parley.topology.signal;

import dev.parley.schema.Command;
import dev.parley.schema.Typing;
import dev.parley.topology.conversation.Outcome;
import dev.parley.topology.conversation.TypingRelay;
import dev.parley.topology.routing.RoutingRequest;
import dev.parley.topology.store.ConversationMeta;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * In: raw typing commands keyed by conversation id (anything else there is skipped). Out: a
 * {@link RoutingRequest} with the signal for the other members, to the router. A non-member's
 * typing, or one in a conversation not (yet) in the membership store, is dropped: it never had an
 * answer. A record that does not decode is skipped: a signal is best effort and has no dead letter.
 */
final class SignalRelay extends ContextualProcessor<byte[], byte[], String, RoutingRequest> {

    private final Deserializer<Command> commands;
    private TypingRelay typing;

    SignalRelay(Deserializer<Command> commands) {
        this.commands = commands;
    }

    @Override
    public void init(ProcessorContext<String, RoutingRequest> context) {
        super.init(context);
        KeyValueStore<String, ConversationMeta> members = context.getStateStore(SignalTopology.MEMBERS_STORE);
        typing = new TypingRelay(members::get);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        if (record.key() == null || record.value() == null) {
            return;
        }
        Command command;
        try {
            command = commands.deserialize(SignalTopology.TYPING_SOURCE, record.value());
        } catch (RuntimeException e) {
            return;
        }
        if (!(command.getPayload() instanceof Typing t)) {
            return;
        }
        String conversationId = new String(record.key(), java.nio.charset.StandardCharsets.UTF_8);
        Outcome outcome = typing.typing(conversationId, command.getSender(), record.timestamp(), t);
        if (outcome instanceof Outcome.Signalled s) {
            RoutingRequest routing = new RoutingRequest(conversationId, s.signal(), s.audience(), null, null);
            context().forward(new Record<>(conversationId, routing, record.timestamp()));
        }
    }
}
