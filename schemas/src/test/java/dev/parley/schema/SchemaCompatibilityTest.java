package dev.parley.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.junit.jupiter.api.Test;

/**
 * The schemas are a published contract: data teams and older consumers read these topics. Each
 * current schema must read everything any release wrote (backward compatibility).
 */
class SchemaCompatibilityTest {

    private static final Map<String, Schema> CURRENT = Map.of(
            "dev.parley.schema.Command", Command.getClassSchema(),
            "dev.parley.schema.ConversationEvent", ConversationEvent.getClassSchema(),
            "dev.parley.schema.Delivery", Delivery.getClassSchema(),
            "dev.parley.schema.Notification", Notification.getClassSchema(),
            "dev.parley.schema.DeviceSet", DeviceSet.getClassSchema(),
            "dev.parley.schema.PushRequest", PushRequest.getClassSchema(),
            "dev.parley.schema.ReadMarker", ReadMarker.getClassSchema());

    private final ReleasedSchemas released = ReleasedSchemas.load();

    @Test
    void shouldHaveAReleasedVersionOfEveryTopicValue() {
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
        Schema writer = released.writerSchemas("dev.parley.schema.Notification").get(0);
        Schema broken = new Schema.Parser()
                .parse(Notification.getClassSchema()
                        .toString()
                        .replace("\"fields\":[", "\"fields\":[{\"name\":\"required_new\",\"type\":\"string\"},"));
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(broken, writer)
                        .getType())
                .isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
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
