package dev.parley.schema;

import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * The one place serdes for topic and state store values are made; both know every released writer
 * schema of their type. Each call returns a new serde: they hold no shared mutable state, but a
 * fresh instance keeps Kafka's {@code configure}/{@code close} calls from touching another user's
 * copy. Not final: tests hand the topology a serde that fails.
 */
public class ParleySerdes {

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

    /**
     * For a state store's value type. Its changelog outlives a release: the next release restores it
     * and reads what the previous one wrote, so store schemas are released like topic schemas.
     */
    public <T extends SpecificRecord> AvroSerde<T> store(Class<T> type, Schema schema) {
        return serde(type, schema);
    }

    private <T extends SpecificRecord> AvroSerde<T> serde(Class<T> type, Schema schema) {
        return new AvroSerde<>(type, schema, released.writerSchemas(schema.getFullName()));
    }
}
