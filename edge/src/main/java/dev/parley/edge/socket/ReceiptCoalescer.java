package dev.parley.edge.socket;

import dev.parley.edge.ApiException;
import dev.parley.schema.Command;
import dev.parley.schema.MarkReceipt;
import dev.parley.schema.Origin;
import dev.parley.schema.ReceiptKind;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Clients ack every message; the edge turns the highest ack per (user, conversation) in each flush
 * interval into one MarkReceipt(DELIVERED) command with no origin to answer. A lost flush (crash)
 * only delays a delivered watermark: the next ack carries it forward.
 */
public final class ReceiptCoalescer {

    private static final Logger log = LoggerFactory.getLogger(ReceiptCoalescer.class);

    private record Key(String userId, String conversationId) {}

    private final Map<Key, Long> highest = new ConcurrentHashMap<>();
    private final String edgeId;
    private final Consumer<Command> publish;

    public ReceiptCoalescer(String edgeId, Consumer<Command> publish) {
        this.edgeId = edgeId;
        this.publish = publish;
    }

    public void ack(String userId, String conversationId, long seq) {
        highest.merge(new Key(userId, conversationId), seq, Math::max);
    }

    /** Called on a timer: one command per (user, conversation) acked since the last flush. */
    public void flush() {
        for (Key key : highest.keySet()) {
            Long seq = highest.remove(key);
            if (seq != null) {
                try {
                    publish.accept(new Command(
                            key.conversationId(),
                            key.userId(),
                            new Origin(edgeId, null, null),
                            new MarkReceipt(ReceiptKind.DELIVERED, seq)));
                } catch (ApiException e) {
                    // refused before producing (an id too long for commands.max.bytes): that one receipt
                    // is lost, and the timer that flushes everyone's must not die with it
                    log.warn("receipt of {} in {} refused: {}", key.userId(), key.conversationId(), e.getMessage());
                }
            }
        }
    }
}
