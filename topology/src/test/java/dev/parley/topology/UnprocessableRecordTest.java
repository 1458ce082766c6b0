package dev.parley.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.schema.AvroSerde;
import dev.parley.schema.CommandAccepted;
import dev.parley.schema.CommandRejected;
import dev.parley.schema.Delivery;
import dev.parley.schema.Notification;
import dev.parley.schema.ParleySerdes;
import dev.parley.schema.Topics;
import dev.parley.topology.store.DedupEntry;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/**
 * An exception outside the rules (the router, a serializer) sets its input record aside and the
 * partition goes on; without the handlers the task fails and a replaced thread fails on the same
 * record again, forever.
 */
class UnprocessableRecordTest {

    @Test
    void shouldDeadLetterACommandWhoseRoutingThrowsAndProcessTheNextOne() {
        try (TopologyFixture f = new TopologyFixture()) {
            String conv = f.direct("alice", "bob");
            f.deliveries("e1").readValuesToList();
            f.sessions.failWith(new IllegalStateException("router bug"));
            f.send(conv, "alice", "m-1", "hello");
            f.sessions.failWith(null);
            f.send(conv, "alice", "m-2", "still working");

            List<TestRecord<byte[], byte[]>> dead = f.deadLetters.readRecordsToList();
            assertThat(dead).singleElement().satisfies(r -> {
                assertThat(f.serdes.command().deserialize("t", r.value()).getPayload())
                        .hasFieldOrPropertyWithValue("clientMsgId", "m-1");
                assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(conv);
                assertThat(header(r, DeadLetters.HEADER_TOPIC)).isEqualTo(Topics.COMMANDS.name());
                assertThat(header(r, DeadLetters.HEADER_OFFSET)).isEqualTo("1");
                assertThat(header(r, DeadLetters.HEADER_ERROR)).contains("router bug");
            });
            List<Delivery> answers = f.deliveries("e1").readValuesToList();
            assertThat(answers.get(0).getPayload()).isInstanceOfSatisfying(CommandRejected.class, r -> {
                assertThat(r.getCode()).isEqualTo("internal");
                assertThat(r.getMessage()).contains("same id");
            });
            assertThat(answers.get(0).getOrigin().getClientId()).isEqualTo("c2");
            assertThat(MessageSequencingTest.messages(f.events.readValuesToList()))
                    .extracting(e -> e.getSeq())
                    .containsExactly(1L, 2L);

            // the retry the rejection asks for gets the message sequenced before the failure
            f.send(conv, "alice", "m-1", "hello");
            Delivery retry = f.deliveries("e1").readValuesToList().get(0);
            assertThat(retry.getPayload()).isInstanceOfSatisfying(CommandAccepted.class, a -> {
                assertThat(a.getSeq()).isEqualTo(1);
                assertThat(a.getDuplicate()).isTrue();
            });
        }
    }

    @Test
    void shouldDeadLetterACommandWhoseOutputCannotBeSerializedAndProcessTheNextOne() {
        ParleySerdes poisoned = new ParleySerdes() {
            @Override
            public AvroSerde<Notification> notification() {
                // writes a Notification with another record's schema: every encode throws
                return new AvroSerde<>(Notification.class, DedupEntry.getClassSchema(), List.of());
            }
        };
        try (TopologyFixture f = new TopologyFixture(TopologyConfig.defaults(), poisoned)) {
            String conv = f.direct("alice", "bob");
            f.send(conv, "alice", "m-1", "bob is offline: a notification");
            f.send(conv, "alice", "m-2", "and another");

            assertThat(f.deadLetters.readRecordsToList()).hasSize(2).allSatisfy(r -> assertThat(
                            header(r, DeadLetters.HEADER_ERROR))
                    .contains("cannot encode Notification"));
            assertThat(MessageSequencingTest.messages(f.events.readValuesToList()))
                    .extracting(e -> e.getSeq())
                    .containsExactly(1L, 2L);
        }
    }

    private static String header(TestRecord<byte[], byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
