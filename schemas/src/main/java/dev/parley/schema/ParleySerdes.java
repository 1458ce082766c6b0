package dev.parley.schema;

import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * The one place serdes for topic values are made. Each call returns a new serde: they hold no
 * shared mutable state, but a fresh instance keeps Kafka's {@code configure}/{@code close} calls
 * from touching another user's copy.
 */
public final class ParleySerdes {

    private final ReleasedSchemas released;

    public ParleySerdes() {
        this(ReleasedSchemas.load());
    }

    public ParleySerdes(ReleasedSchemas released) {
        this.released = released;
    }

    public AvroSerde<Command> command() {
        return serde(Command.class, Command.getClassSchema());
    }

    public AvroSerde<ConversationEvent> event() {
        return serde(ConversationEvent.class, ConversationEvent.getClassSchema());
    }

    public AvroSerde<Delivery> delivery() {
        return serde(Delivery.class, Delivery.getClassSchema());
    }

    public AvroSerde<Notification> notification() {
        return serde(Notification.class, Notification.getClassSchema());
    }

    public AvroSerde<DeviceSet> deviceSet() {
        return serde(DeviceSet.class, DeviceSet.getClassSchema());
    }

    public AvroSerde<PushRequest> pushRequest() {
        return serde(PushRequest.class, PushRequest.getClassSchema());
    }

    public AvroSerde<ReadMarker> readMarker() {
        return serde(ReadMarker.class, ReadMarker.getClassSchema());
    }

    /** For internal record types (state stores) that have no released history. */
    public <T extends SpecificRecord> AvroSerde<T> internal(Class<T> type, Schema schema) {
        return new AvroSerde<>(type, schema, List.of());
    }

    private <T extends SpecificRecord> AvroSerde<T> serde(Class<T> type, Schema schema) {
        return new AvroSerde<>(type, schema, released.writerSchemas(schema.getFullName()));
    }
}
