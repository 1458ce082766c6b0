package dev.parley.connect;

import dev.parley.schema.AvroSerde;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * Decodes a sink record's Avro single-object value (the connectors run with {@code
 * ByteArrayConverter}). A record that does not decode yields null and is held for the errant
 * record reporter (the dead-letter topic) until the task calls {@link #reportUndecodable}: a sink
 * whose batch can come again (store down, {@link SinkRedelivery}) reports only once the batch got
 * through, so a redelivery cannot dead-letter a record twice. Without a reporter an undecodable
 * record fails the task with a clear message. At most one batch's records are held.
 */
public final class SinkRecordDecoder<T extends SpecificRecord> {

    private final AvroSerde<T> serde;
    private final ErrantRecordReporter reporter;
    private final List<Undecodable> held = new ArrayList<>();

    private record Undecodable(SinkRecord record, Exception error) {}

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
            held.add(new Undecodable(record, e));
            return null;
        }
    }

    /** Dead-letters the undecodable records held since the last report or {@link #forgetUndecodable}. */
    public void reportUndecodable() {
        for (Undecodable u : held) {
            reporter.report(u.record(), u.error());
        }
        held.clear();
    }

    /** Drops the held records: their batch failed and will be decoded again when it comes back. */
    public void forgetUndecodable() {
        held.clear();
    }
}
