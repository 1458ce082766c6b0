package dev.parley.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {

    private final ParleySerdes serdes = new ParleySerdes();

    private static ConversationEvent event() {
        return new ConversationEvent(
                42L,
                "d_1",
                7L,
                Instant.ofEpochMilli(1_700_000_000_000L),
                "alice",
                0L,
                new MessagePosted(42L, "m-1", "héllo 👋", List.of("media-1"), 3L, null, null, List.of(), List.of()));
    }

    @Test
    void shouldRoundTripEveryTopicValue() {
        ConversationEvent event = event();
        AvroSerde<ConversationEvent> serde = serdes.event();
        assertThat(serde.deserialize("t", serde.serialize("t", event))).isEqualTo(event);

        Delivery delivery = new Delivery("d_1", List.of("bob"), new Origin("e1", "c1", "x"), event, false);
        assertThat(serdes.delivery().deserialize("t", serdes.delivery().serialize("t", delivery)))
                .isEqualTo(delivery);

        Command command = new Command(
                "d_1",
                "alice",
                new Origin("e1", null, null),
                new SendMessage("m-1", "hi", List.of(), null, null, List.of(), List.of()));
        assertThat(serdes.command().deserialize("t", serdes.command().serialize("t", command)))
                .isEqualTo(command);
    }

    @Test
    void shouldWriteSingleObjectEncodingHeaderWithSchemaFingerprint() {
        byte[] bytes = serdes.event().serialize("t", event());
        assertThat(bytes[0]).isEqualTo((byte) 0xC3);
        assertThat(bytes[1]).isEqualTo((byte) 0x01);
        long fingerprint = SchemaNormalization.parsingFingerprint64(ConversationEvent.getClassSchema());
        long written = 0;
        for (int i = 0; i < 8; i++) {
            written |= (bytes[2 + i] & 0xFFL) << (8 * i); // little-endian per the Avro spec
        }
        assertThat(written).isEqualTo(fingerprint);
    }

    @Test
    void shouldRejectGarbageWithAClearMessage() {
        assertThatThrownBy(() -> serdes.event().deserialize("parley.events.v1", "hello".getBytes()))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("ConversationEvent")
                .hasMessageContaining("parley.events.v1");
    }

    @Test
    void shouldRejectUnknownFingerprintWithAClearMessage() {
        byte[] bytes = serdes.event().serialize("t", event());
        bytes[5] ^= 0x5A;
        assertThatThrownBy(() -> serdes.event().deserialize("t", bytes))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("unknown schema fingerprint");
    }

    @Test
    void shouldRejectTruncatedBody() {
        byte[] bytes = serdes.event().serialize("t", event());
        byte[] truncated = java.util.Arrays.copyOf(bytes, 14);
        assertThatThrownBy(() -> serdes.event().deserialize("t", truncated))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("corrupt body");
    }

    @Test
    void shouldReadRecordsWrittenWithAnOlderReleasedSchema() {
        // an older writer: the same record without a field the current schema has with a default
        Schema older = new Schema.Parser()
                .parse(
                        """
                {"type":"record","name":"Origin","namespace":"dev.parley.schema","fields":[
                  {"name":"edge_id","type":"string"}]}""");
        var model = new org.apache.avro.generic.GenericData();
        var writer =
                new org.apache.avro.message.BinaryMessageEncoder<org.apache.avro.generic.GenericRecord>(model, older);
        var record = new org.apache.avro.generic.GenericData.Record(older);
        record.put("edge_id", "e9");
        AvroSerde<Origin> serde = new AvroSerde<>(Origin.class, Origin.getClassSchema(), List.of(older));
        try {
            byte[] bytes = writer.encode(record).array();
            Origin decoded = serde.deserialize("t", bytes);
            assertThat(decoded.getEdgeId()).isEqualTo("e9");
            assertThat(decoded.getConnectionId()).isNull();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
