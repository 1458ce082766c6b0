package dev.parley.schema;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serde for one Avro record type in Avro's single-object encoding: marker {@code C3 01}, the
 * 8-byte little-endian CRC-64-AVRO fingerprint of the writer schema, then the binary body. Any Avro
 * library can decode it given the {@code .avsc} files, so no schema registry is needed.
 *
 * <p>The decoder knows the current schema plus every released writer schema passed in, so records
 * written by an older release still decode. Garbage bytes or an unknown fingerprint raise a {@link
 * SerializationException} that names the type, never a bare Avro error.
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T> {

    private final Class<T> type;
    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;

    public AvroSerde(Class<T> type, Schema schema, List<Schema> olderWriterSchemas) {
        this.type = type;
        SpecificData model = SpecificData.getForClass(type);
        this.encoder = new BinaryMessageEncoder<>(model, schema);
        this.decoder = new BinaryMessageDecoder<>(model, schema);
        olderWriterSchemas.forEach(decoder::addSchema);
    }

    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        try {
            ByteBuffer buffer = encoder.encode(data);
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (IOException | AvroRuntimeException | NullPointerException | ClassCastException e) {
            throw new SerializationException(
                    "cannot encode " + type.getSimpleName() + " for topic " + topic + ": " + e.getMessage(), e);
        }
    }

    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        try {
            return decoder.decode(data);
        } catch (MissingSchemaException e) {
            throw new SerializationException(
                    "cannot decode " + type.getSimpleName() + " from topic " + topic
                            + ": unknown schema fingerprint (written by a newer or foreign schema?)",
                    e);
        } catch (BadHeaderException e) {
            throw new SerializationException(
                    "cannot decode " + type.getSimpleName() + " from topic " + topic
                            + ": not Avro single-object encoding (" + e.getMessage() + ")",
                    e);
        } catch (IOException | RuntimeException e) {
            throw new SerializationException(
                    "cannot decode " + type.getSimpleName() + " from topic " + topic + ": corrupt body ("
                            + e.getClass().getSimpleName() + ")",
                    e);
        }
    }

    @Override
    public Serializer<T> serializer() {
        return this::serialize;
    }

    @Override
    public Deserializer<T> deserializer() {
        return this::deserialize;
    }
}
