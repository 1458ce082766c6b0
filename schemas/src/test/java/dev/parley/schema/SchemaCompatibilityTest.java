package dev.parley.schema;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.topology.store.ChannelMember;
import dev.parley.topology.store.ConversationMeta;
import dev.parley.topology.store.DedupEntry;
import dev.parley.topology.store.MessageState;
import dev.parley.topology.store.PendingPush;
import dev.parley.topology.store.ReceiptState;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.generic.GenericData;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

/**
 * The schemas are a published contract: data teams and older consumers read these topics, and the
 * next release restores the state stores' changelogs the previous one wrote. Each current schema must
 * read everything any release wrote (backward compatibility).
 */
class SchemaCompatibilityTest {

    /** Topic values. */
    private static final List<Schema> TOPICS = List.of(
            Command.getClassSchema(),
            ConversationEvent.getClassSchema(),
            Delivery.getClassSchema(),
            Notification.getClassSchema(),
            DeviceSet.getClassSchema(),
            PushRequest.getClassSchema(),
            ReadMarker.getClassSchema());

    /** State store values (the devices store holds DeviceSet, a topic value; seq and reactions are longs). */
    private static final List<Schema> STORES = List.of(
            ConversationMeta.getClassSchema(),
            DedupEntry.getClassSchema(),
            MessageState.getClassSchema(),
            ReceiptState.getClassSchema(),
            PendingPush.getClassSchema(),
            ChannelMember.getClassSchema());

    private static final Map<String, Schema> CURRENT =
            Stream.concat(TOPICS.stream(), STORES.stream()).collect(Collectors.toMap(Schema::getFullName, s -> s));

    private final ReleasedSchemas released = ReleasedSchemas.load();

    @Test
    void shouldHaveAReleasedVersionOfEveryTopicAndStoreValue() {
        assertThat(released.all().keySet()).containsExactlyInAnyOrderElementsOf(CURRENT.keySet());
    }

    @Test
    void shouldReadEveryReleasedVersionWithTheCurrentSchema() {
        released.all()
                .forEach((name, versions) -> versions.forEach((version, writer) -> {
                    var result = SchemaCompatibility.checkReaderWriterCompatibility(CURRENT.get(name), writer);
                    assertThat(result.getType())
                            .as("%s cannot read %s: %s", name, version, result.getDescription())
                            .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
                }));
    }

    @Test
    void shouldRefuseABreakingChange() {
        // the check itself must be able to fail: a new required field without default is breaking
        assertThat(readsOldestRelease(
                        Notification.getClassSchema(),
                        s -> s.replace("\"fields\":[", "\"fields\":[{\"name\":\"required_new\",\"type\":\"string\"},")))
                .isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
    }

    /** Whether {@code current}, edited as text, can read the oldest released version of its type. */
    private SchemaCompatibilityType readsOldestRelease(Schema current, UnaryOperator<String> edit) {
        Schema writer = released.writerSchemas(current.getFullName()).get(0);
        Schema edited = new Schema.Parser().parse(edit.apply(current.toString()));
        return SchemaCompatibility.checkReaderWriterCompatibility(edited, writer)
                .getType();
    }

    @Test
    void shouldRefuseABreakingChangeToAStoreValue() {
        // a renamed field (no alias) cannot read what the last release's changelog holds
        assertThat(readsOldestRelease(
                        ConversationMeta.getClassSchema(), s -> s.replace("\"creator\"", "\"created_by\"")))
                .isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
    }

    @Test
    void shouldDecodeAStoreValueTheLastReleaseWrote() {
        // what a restored changelog holds after an upgrade: bytes written with the released schema
        Schema v2 = released.writerSchemas(PendingPush.getClassSchema().getFullName())
                .get(0);
        GenericData.Record written = new GenericData.Record(v2);
        written.put("last_sent_at", 5L);
        written.put("held", 2);
        written.put("latest_seq", 9L);
        written.put("sender", "alice");
        written.put("group", false);
        byte[] bytes = encode(v2, written);
        PendingPush read = new ParleySerdes()
                .store(PendingPush.class, PendingPush.getClassSchema())
                .deserialize("pending-pushes-changelog", bytes);
        assertThat(read.getHeld()).isEqualTo(2);
        assertThat(read.getSender()).isEqualTo("alice");
        assertThat(read.getDueAt())
                .as("v3's new field, defaulted: not yet in the due index")
                .isZero();
    }

    private static byte[] encode(Schema schema, GenericData.Record record) {
        try {
            var buffer = new BinaryMessageEncoder<GenericData.Record>(GenericData.get(), schema).encode(record);
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void shouldEmbedTheSameEventSchemaInDeliveryAsOnTheEventsTopic() {
        // avro-maven-plugin regenerates only changed files: a stale Delivery after an event change
        // would silently drop new event fields on the edge. `./mvnw clean` fixes it.
        Schema embedded = Delivery.getClassSchema()
                .getField("payload")
                .schema()
                .getTypes()
                .get(0);
        assertThat(embedded).isEqualTo(ConversationEvent.getClassSchema());
        assertThat(List.of(Command.getClassSchema().getField("origin").schema()))
                .containsExactly(Origin.getClassSchema());
    }
}
