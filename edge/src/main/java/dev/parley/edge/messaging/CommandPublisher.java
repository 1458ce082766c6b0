package dev.parley.edge.messaging;

import dev.parley.edge.ApiException;
import dev.parley.schema.AvroSerde;
import dev.parley.schema.Command;
import dev.parley.schema.ErrorCode;
import dev.parley.schema.Topics;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Produces commands to parley.commands.v1, keyed by conversation id, with acks=all and idempotence,
 * never blocking the caller: the future completes when Kafka has the record, or fails, and the
 * caller turns a failure into an error frame (the client retries with the same id; dedup makes that
 * safe).
 *
 * <p>Every command is bounded as encoded (Avro single-object encoding, what Kafka stores) by {@code
 * commands.max.bytes}, default 256 KiB, because whatever a command carries reaches every sink: the
 * event derived from it adds at most a few hundred bytes (ids, seq, timestamps), a delivery record
 * adds its recipient list (at most 1,024 ids of 34 bytes, about 36 KB), so each stays far below
 * Kafka's default {@code max.message.bytes} (1 MiB) and Cassandra's limits for one statement
 * ({@code max_mutation_size}, half the 32 MiB commit log segment; native frames of 16 MiB).
 */
public final class CommandPublisher implements AutoCloseable {

    private final Producer<String, byte[]> producer;
    private final AvroSerde<Command> serde;
    private final int maxCommandBytes;
    private final IdleFlush idleFlush;

    /**
     * @param flushAfterIdleMs a command this long or more after the one before it is sent at once
     *     ({@link IdleFlush}) instead of waiting the linger alone; 0: never
     */
    public CommandPublisher(
            String bootstrapServers,
            int lingerMs,
            int flushAfterIdleMs,
            AvroSerde<Command> serde,
            int maxCommandBytes) {
        this(producer(bootstrapServers, lingerMs), lingerMs, flushAfterIdleMs, serde, maxCommandBytes);
    }

    private static Producer<String, byte[]> producer(String bootstrapServers, int lingerMs) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // batches the sends of all sockets into few produce requests under load (linger 0 was one
        // request per message); it adds at most lingerMs to a send
        p.put(ProducerConfig.LINGER_MS_CONFIG, lingerMs);
        // bounded: a send that cannot reach Kafka fails within seconds instead of hanging the client
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    CommandPublisher(
            Producer<String, byte[]> producer,
            int lingerMs,
            int flushAfterIdleMs,
            AvroSerde<Command> serde,
            int maxCommandBytes) {
        this.producer = producer;
        this.serde = serde;
        this.maxCommandBytes = maxCommandBytes;
        // with no linger nothing waits: there is nothing to flush
        this.idleFlush = lingerMs > 0 && flushAfterIdleMs > 0
                ? new IdleFlush(producer, flushAfterIdleMs, System::nanoTime)
                : null;
    }

    /**
     * Produces the command to its topic ({@link Topics#commandsFor}: typing apart); the future
     * completes once Kafka has it.
     *
     * @throws ApiException {@code too_large}, before producing, when the encoded command exceeds
     *     {@code commands.max.bytes}
     */
    public CompletableFuture<Void> publish(Command command) {
        String topic = Topics.commandsFor(command.getPayload()).name();
        byte[] value;
        try {
            value = serde.serialize(topic, command);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (value.length > maxCommandBytes) {
            throw new ApiException(
                    ErrorCode.TOO_LARGE,
                    "the command is " + value.length + " bytes encoded; at most " + maxCommandBytes + " are accepted");
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            producer.send(new ProducerRecord<>(topic, command.getConversationId(), value), (metadata, error) -> {
                if (error == null) {
                    done.complete(null);
                } else {
                    done.completeExceptionally(error);
                }
            });
        } catch (RuntimeException e) {
            done.completeExceptionally(e);
            return done;
        }
        if (idleFlush != null) {
            idleFlush.afterSend();
        }
        return done;
    }

    @Override
    public void close() {
        if (idleFlush != null) {
            idleFlush.close();
        }
        producer.close();
    }
}
