package dev.parley.topology;

import dev.parley.schema.Topics;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The one format of parley.deadletter.v1: the input record's key and value bytes untouched, its
 * headers, plus {@code parley.dlq.topic|partition|offset|error} naming where it came from and why
 * it was set aside. Used by {@link CommandDecoder} (undecodable commands) and {@link
 * UnprocessableRecordHandler} (exceptions outside the rules), so operators read one format.
 */
final class DeadLetters {

    static final String HEADER_TOPIC = "parley.dlq.topic";
    static final String HEADER_PARTITION = "parley.dlq.partition";
    static final String HEADER_OFFSET = "parley.dlq.offset";
    static final String HEADER_ERROR = "parley.dlq.error";

    private DeadLetters() {}

    /** The input's headers plus the parley.dlq.* ones; {@code topic} null when the source is unknown. */
    static Headers headers(Headers original, String topic, int partition, long offset, String error) {
        Headers headers = original == null ? new RecordHeaders() : new RecordHeaders(original.toArray());
        if (topic != null) {
            headers.add(HEADER_TOPIC, utf8(topic));
            headers.add(HEADER_PARTITION, utf8(Integer.toString(partition)));
            headers.add(HEADER_OFFSET, utf8(Long.toString(offset)));
        }
        headers.add(HEADER_ERROR, utf8(String.valueOf(error)));
        return headers;
    }

    static ProducerRecord<byte[], byte[]> record(
            byte[] key, byte[] value, Headers original, String topic, int partition, long offset, String error) {
        return new ProducerRecord<>(
                Topics.DEAD_LETTER.name(), null, key, value, headers(original, topic, partition, offset, error));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
