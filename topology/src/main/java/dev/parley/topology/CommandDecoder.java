package dev.parley.topology;

import dev.parley.schema.AvroSerde;
import dev.parley.schema.Command;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns raw command bytes into {@link Command}s.
 *
 * <p>In: bytes from parley.commands.v1. Out: the decoded command keyed by conversation id to {@link
 * #NEXT}, or the untouched bytes to {@link #DEAD_LETTER_SINK} with headers naming the source topic,
 * partition, offset and error ({@link DeadLetters}). A record is dead-lettered when it does not
 * decode, has no key, or its key is not its conversation id (it would be sequenced on the wrong
 * partition). A bad record never stops the application and never reaches the conversation state.
 */
final class CommandDecoder extends ContextualProcessor<byte[], byte[], Object, Object> {

    static final String NEXT = "conversation-processor";
    static final String DEAD_LETTER_SINK = "dead-letter-sink";

    private static final Logger log = LoggerFactory.getLogger(CommandDecoder.class);

    private final AvroSerde<Command> commands;
    private final StringDeserializer keys = new StringDeserializer();

    CommandDecoder(AvroSerde<Command> commands) {
        this.commands = commands;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        String topic = context().recordMetadata().map(RecordMetadata::topic).orElse("");
        String key = record.key() == null ? null : keys.deserialize(topic, record.key());
        Command command;
        try {
            if (record.value() == null) {
                throw new IllegalArgumentException("null value");
            }
            command = commands.deserialize(topic, record.value());
        } catch (RuntimeException e) {
            deadLetter(record, e.getMessage());
            return;
        }
        if (key == null || !key.equals(command.getConversationId())) {
            deadLetter(record, "key does not match conversation_id");
            return;
        }
        context().forward(record.withKey(key).withValue(command), NEXT);
    }

    private void deadLetter(Record<byte[], byte[]> record, String error) {
        RecordMetadata source = context().recordMetadata().orElse(null);
        Headers headers = source == null
                ? DeadLetters.headers(record.headers(), null, -1, -1, error)
                : DeadLetters.headers(record.headers(), source.topic(), source.partition(), source.offset(), error);
        if (source != null) {
            log.warn("dead-lettering {}-{}@{}: {}", source.topic(), source.partition(), source.offset(), error);
        }
        context()
                .forward(
                        new Record<Object, Object>(record.key(), record.value(), record.timestamp(), headers),
                        DEAD_LETTER_SINK);
    }
}
