package dev.parley.edge.messaging;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.edge.EdgeMetrics;
import dev.parley.edge.socket.ClientConnection;
import dev.parley.edge.socket.Connections;
import dev.parley.edge.socket.ServerFrames;
import dev.parley.schema.AvroSerde;
import dev.parley.schema.CommandAccepted;
import dev.parley.schema.CommandRejected;
import dev.parley.schema.ConversationCreated;
import dev.parley.schema.ConversationEvent;
import dev.parley.schema.ConversationIds;
import dev.parley.schema.Delivery;
import dev.parley.schema.MembersChanged;
import dev.parley.schema.MessagePosted;
import dev.parley.schema.Origin;
import dev.parley.schema.Topics;
import dev.parley.schema.TypingSignal;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads this edge's delivery topic (read_committed: only what the topology committed) and pushes
 * frames: the payload to every connection of the listed recipients, and the answer to the origin
 * (the socket that asked, or the waiting HTTP request). The sender's other devices get the message
 * itself; the asking socket gets {@code sent}.
 *
 * <p>The topic has one partition and one reader, so the consumer {@code assign}s that partition:
 * no consumer group (nothing to join, rebalance or leave behind on the broker per restart) and no
 * committed offsets. Each start reads from the end: delivery is a live transport, and a client that
 * reconnects (or gets {@code resync}) catches up from history by seq.
 *
 * <p>With early delivery on ({@link EarlyDelivery}), a second reader shows posted messages to
 * sockets that asked for it before the commit, and this reader settles each early frame when it
 * reads the committed record (or passes an aborted one).
 *
 * <p>The same consumer reads the edge's signals topic ({@link Topics#signals}: typing, written
 * without a transaction by SignalTopology), in its own partition, so a signal is not held back
 * behind a transaction the conversation topology has open on the delivery topic.
 */
public final class DeliveryDispatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DeliveryDispatcher.class);

    private final KafkaConsumer<String, byte[]> consumer;
    private final AvroSerde<Delivery> serde;
    private final Connections connections;
    private final PendingReplies pending;
    private final ServerFrames frames;
    private final EdgeMetrics metrics;
    private final ChannelSubscriptions channels;
    private final DeliveryRecipients recipients;
    private final EarlyDelivery early;
    private final String topic;
    private final TopicPartition partition;
    private final TopicPartition signals;
    private final Thread thread;
    private volatile boolean running = true;

    public DeliveryDispatcher(
            String bootstrapServers,
            String edgeId,
            AvroSerde<Delivery> serde,
            Connections connections,
            PendingReplies pending,
            ServerFrames frames,
            EdgeMetrics metrics,
            ChannelSubscriptions channels,
            EarlySettings early) {
        Properties p = readerProperties(bootstrapServers, "parley-delivery-" + edgeId, "read_committed");
        p.putAll(metrics.kafkaClientReporter()); // the delivery topic's lag on /metrics
        this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        this.serde = serde;
        this.connections = connections;
        this.pending = pending;
        this.frames = frames;
        this.metrics = metrics;
        this.channels = channels;
        this.recipients = new DeliveryRecipients(connections, channels);
        this.topic = Topics.delivery(edgeId).name();
        this.partition = new TopicPartition(topic, 0);
        this.signals = new TopicPartition(Topics.signals(edgeId).name(), 0);
        this.early = early.enabled()
                ? new EarlyDelivery(
                        bootstrapServers,
                        edgeId,
                        partition,
                        serde,
                        recipients,
                        frames,
                        metrics,
                        early.maxPending(),
                        early.maxSockets())
                : null;
        this.thread = new Thread(this::run, "parley-delivery-" + edgeId);
    }

    /**
     * A reader of the delivery partition, as both readers are: assigned (no group, no committed
     * offsets), from the end, at {@code isolation}.
     */
    static Properties readerProperties(String bootstrapServers, String clientId, String isolation) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return p;
    }

    /**
     * Early delivery ({@link EarlyDelivery}): on or off for this edge, how many early frames may wait
     * for their commit, and the most sockets one delivery may be shown early to.
     */
    public record EarlySettings(boolean enabled, int maxPending, int maxSockets) {}

    /**
     * Assigns the partition and resolves its end offset before returning, so nothing committed after
     * this is missed.
     */
    public void start() {
        consumer.assign(List.of(partition, signals));
        consumer.seekToEnd(List.of(partition, signals));
        consumer.position(partition, Duration.ofSeconds(30));
        consumer.position(signals, Duration.ofSeconds(30));
        if (early != null) {
            // after the committed reader has its position: it never starts behind the early one
            early.start();
        }
        thread.start();
    }

    private void run() {
        try {
            while (running) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    try {
                        dispatch(record.offset(), serde.deserialize(record.topic(), record.value()));
                    } catch (RuntimeException e) {
                        log.warn(
                                "skipping undeliverable record {}@{}: {}",
                                record.topic(),
                                record.offset(),
                                e.toString());
                    }
                }
                consumer.currentLag(partition).ifPresent(metrics::deliveryLag);
                if (early != null) {
                    early.committedReaderAt(consumer.position(partition));
                }
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close();
        }
    }

    private void dispatch(long offset, Delivery delivery) {
        Object payload = delivery.getPayload();
        Origin origin = delivery.getOrigin();
        String conversationId = delivery.getConversationId();
        if (payload instanceof ConversationEvent event) {
            if (ConversationIds.isChannel(conversationId)) {
                trackMembers(conversationId, event);
            }
            ObjectNode frame = frames.forEvent(event);
            if (frame != null) {
                List<ClientConnection> targets =
                        recipients.connections(recipients.users(delivery), DeliveryRecipients.skipped(delivery));
                String text = frame.toString();
                if (early != null && event.getPayload() instanceof MessagePosted posted) {
                    early.committed(offset, event, posted, text, targets);
                } else {
                    targets.forEach(c -> c.send(text));
                }
            }
            if (origin != null) {
                ObjectNode answer = event.getPayload() instanceof MessagePosted posted
                        ? frames.sent(
                                origin.getClientId(),
                                conversationId,
                                event.getSeq(),
                                posted.getMessageId(),
                                event.getTs().toEpochMilli(),
                                false)
                        : frames.ok(origin.getClientId(), conversationId, event.getVersion());
                answer(origin, delivery, answer);
            }
        } else if (payload instanceof TypingSignal typing) {
            String frame = frames.typing(conversationId, typing).toString();
            recipients.connections(delivery.getRecipients(), null).forEach(c -> c.send(frame));
        } else if (payload instanceof CommandAccepted ack && origin != null) {
            answer(origin, delivery, frames.accepted(origin.getClientId(), conversationId, ack));
        } else if (payload instanceof CommandRejected rejected && origin != null) {
            metrics.error(rejected.getCode());
            answer(origin, delivery, frames.error(origin.getClientId(), rejected.getCode(), rejected.getMessage()));
        }
    }

    /**
     * A channel's membership events reach the users they are about: a local user who joined (or was
     * invited, or created it) is subscribed here, one who left or was removed is not any more.
     */
    private void trackMembers(String channelId, ConversationEvent event) {
        if (event.getPayload() instanceof ConversationCreated created) {
            created.getMembers().forEach(u -> joinIfLocal(channelId, u));
        } else if (event.getPayload() instanceof MembersChanged changed) {
            changed.getAdded().forEach(u -> joinIfLocal(channelId, u));
            changed.getRemoved().forEach(u -> channels.left(channelId, u));
        }
    }

    private void joinIfLocal(String channelId, String userId) {
        if (!connections.ofUser(userId).isEmpty()) {
            channels.joined(channelId, userId);
        }
    }

    private void answer(Origin origin, Delivery delivery, ObjectNode frame) {
        String connectionId = origin.getConnectionId();
        if (PendingReplies.isHttpRequest(connectionId)) {
            pending.complete(connectionId, delivery);
            return;
        }
        ClientConnection c = connections.byId(connectionId);
        if (c != null) {
            c.send(frame.toString());
            metrics.sendAnswered(connectionId, origin.getClientId());
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (early != null) {
            early.close();
        }
        running = false;
        consumer.wakeup();
        thread.join(10_000);
    }
}
