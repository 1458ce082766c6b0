package dev.parley.edge.messaging;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.edge.EdgeMetrics;
import dev.parley.edge.socket.ClientConnection;
import dev.parley.edge.socket.ServerFrames;
import dev.parley.schema.AvroSerde;
import dev.parley.schema.ConversationEvent;
import dev.parley.schema.Delivery;
import dev.parley.schema.MessagePosted;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Early (tentative) delivery of messages, for sockets opened with {@code ?early=1}: a second reader
 * of this edge's delivery partition, {@code read_uncommitted}, shows a posted message as soon as
 * ConversationTopology wrote it, before its transaction commits, as {@code message} with {@code
 * "tentative":true}. The committed reader ({@link DeliveryDispatcher}) then settles each one through
 * {@link TentativeLedger}: {@code confirmed} when the committed record carries the same frame, the
 * committed {@code message} when another message was committed at that seq (it replaces the early
 * one), {@code retracted} when the transaction aborted.
 *
 * <p>Why it is safe: nothing durable depends on an early frame. The {@code sent} ack, history,
 * receipts, push and every sink still read only committed records, and the committed reader
 * delivers to early sockets exactly what it delivers to the others; an early frame is a preview
 * that a later frame always settles (confirm, replace or retract) while the socket is open. A
 * replay after an abort normally writes the same bytes, but need not: it runs with the restarted
 * instance's settings and build (a lower {@code max.body.bytes}, a fixed rule), so a client must
 * treat a tentative message as such until it is confirmed (README, "Early delivery").
 *
 * <p>Only {@code message} frames go early; edits, deletes, reactions, receipts and membership wait
 * for the commit. A delivery to more than {@code maxSockets} sockets here goes out committed only,
 * and so does everything once {@code max.pending} early frames wait for their commit.
 */
public final class EarlyDelivery implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EarlyDelivery.class);

    private final KafkaConsumer<String, byte[]> consumer;
    private final AvroSerde<Delivery> serde;
    private final DeliveryRecipients recipients;
    private final ServerFrames frames;
    private final EdgeMetrics metrics;
    private final TopicPartition partition;
    private final TentativeLedger<ClientConnection> ledger;
    private final Thread thread;
    private volatile boolean running = true;

    EarlyDelivery(
            String bootstrapServers,
            String edgeId,
            TopicPartition partition,
            AvroSerde<Delivery> serde,
            DeliveryRecipients recipients,
            ServerFrames frames,
            EdgeMetrics metrics,
            int maxPending,
            int maxSockets) {
        // read_uncommitted is the point: records of a transaction that has not committed yet
        this.consumer = new KafkaConsumer<>(
                DeliveryDispatcher.readerProperties(
                        bootstrapServers, "parley-early-delivery-" + edgeId, "read_uncommitted"),
                new StringDeserializer(),
                new ByteArrayDeserializer());
        this.serde = serde;
        this.recipients = recipients;
        this.frames = frames;
        this.metrics = metrics;
        this.partition = partition;
        this.ledger = new TentativeLedger<>(maxPending, maxSockets);
        this.thread = new Thread(this::run, "parley-early-delivery-" + edgeId);
        thread.setDaemon(true);
    }

    /** Starts at the partition's end (high watermark), as the committed reader starts at its own end. */
    void start() {
        consumer.assign(List.of(partition));
        consumer.seekToEnd(List.of(partition));
        consumer.position(partition, Duration.ofSeconds(30));
        thread.start();
    }

    private void run() {
        try {
            while (running) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (!recipients.anyEarly()) {
                        continue; // nobody here asked: not worth decoding
                    }
                    try {
                        show(record.offset(), serde.deserialize(record.topic(), record.value()));
                    } catch (RuntimeException e) {
                        // the committed reader meets the same record and says why it skipped it
                        log.debug("no early frame for {}@{}: {}", record.topic(), record.offset(), e.toString());
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close();
        }
    }

    private void show(long offset, Delivery delivery) {
        if (!(delivery.getPayload() instanceof ConversationEvent event)
                || !(event.getPayload() instanceof MessagePosted posted)) {
            return;
        }
        List<ClientConnection> targets =
                recipients.connections(recipients.users(delivery), DeliveryRecipients.skipped(delivery)).stream()
                        .filter(ClientConnection::wantsEarly)
                        .toList();
        if (targets.isEmpty()) {
            return;
        }
        ObjectNode frame = frames.forEvent(event);
        String committedFrame = frame.toString();
        String early = frame.put("tentative", true).toString();
        boolean shown = ledger.show(
                offset,
                event.getConversationId(),
                event.getSeq(),
                Long.toString(posted.getMessageId()),
                committedFrame,
                targets,
                () -> targets.forEach(c -> c.send(early)));
        if (shown) {
            metrics.earlyDelivery("tentative", targets.size());
        }
    }

    /**
     * The committed reader's part for a posted message at {@code offset}: sends {@code frame} to the
     * targets that saw nothing early (or another message), {@code confirmed} to those that saw this
     * one, {@code retracted} to any that saw it but are not committed recipients.
     */
    void committed(
            long offset, ConversationEvent event, MessagePosted posted, String frame, List<ClientConnection> targets) {
        TentativeLedger.Settlement<ClientConnection> s =
                ledger.committed(offset, event.getConversationId(), event.getSeq(), frame, targets);
        s.deliver().forEach(c -> c.send(frame));
        if (s.replaced() > 0) {
            metrics.earlyDelivery("replaced", s.replaced());
        }
        String messageId = Long.toString(posted.getMessageId());
        if (!s.confirm().isEmpty()) {
            String confirmed = frames.confirmed(event.getConversationId(), event.getSeq(), messageId)
                    .toString();
            s.confirm().forEach(c -> c.send(confirmed));
            metrics.earlyDelivery("confirmed", s.confirm().size());
        }
        if (!s.retract().isEmpty()) {
            String retracted = frames.retracted(event.getConversationId(), event.getSeq(), messageId)
                    .toString();
            s.retract().forEach(c -> c.send(retracted));
            metrics.earlyDelivery("retracted", s.retract().size());
        }
    }

    /** The committed reader is at {@code position}: early frames of aborted transactions below it are retracted. */
    void committedReaderAt(long position) {
        for (TentativeLedger.Retracted<ClientConnection> r : ledger.passed(position)) {
            String retracted =
                    frames.retracted(r.conversationId(), r.seq(), r.messageId()).toString();
            r.shownTo().forEach(c -> c.send(retracted));
            metrics.earlyDelivery("retracted", r.shownTo().size());
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(10_000);
    }
}
