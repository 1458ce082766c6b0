package dev.parley.connect;

import dev.parley.schema.AvroSerde;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * Decodes a sink record's Avro single-object value (the connectors run with {@code
 * ByteArrayConverter}). A record that does not decode goes to the errant record reporter (the
 * dead-letter topic) and yields null; without a reporter it fails the task with a clear message.
 */
public final class SinkRecordDecoder<T extends SpecificRecord> {

    private final AvroSerde<T> serde;
    private final ErrantRecordReporter reporter;

    public SinkRecordDecoder(AvroSerde<T> serde, ErrantRecordReporter reporter) {
        this.serde = serde;
        this.reporter = reporter;
    }

    public T decode(SinkRecord record) {
        Object value = record.value();
        try {
            if (!(value instanceof byte[] bytes)) {
                throw new DataException("expected bytes (use ByteArrayConverter), got "
                        + (value == null ? "null" : value.getClass().getSimpleName()));
            }
            return serde.deserialize(record.topic(), bytes);
        } catch (SerializationException | DataException e) {
            if (reporter == null) {
                throw new DataException(
                        "undecodable record " + record.topic() + "-" + record.kafkaPartition() + "@"
                                + record.kafkaOffset() + ": " + e.getMessage(),
                        e);
            }
            reporter.report(record, e);
            return null;
        }
    }
}
