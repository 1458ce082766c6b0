package dev.parley.edge.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.schema.Command;
import dev.parley.schema.Origin;
import dev.parley.schema.ParleySerdes;
import dev.parley.schema.Typing;
import dev.parley.schema.TypingState;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The publisher's linger as wired: a MockProducer that acknowledges only when flushed or told to
 * (completeNext) stands for a producer whose batch waits its linger.
 */
class CommandPublisherTest {

    private final ParleySerdes serdes = new ParleySerdes();

    @Test
    void shouldSendALoneCommandAtOnceWhenIdleFlushesAreOn() throws Exception {
        MockProducer<String, byte[]> producer = lingeringProducer();
        try (CommandPublisher publisher = new CommandPublisher(producer, 5, 20, serdes.command(), 256 * 1024)) {
            CompletableFuture<Void> sent = publisher.publish(typing());

            sent.get(10, TimeUnit.SECONDS);
            assertThat(producer.history()).hasSize(1);
            assertThat(producer.history().get(0).topic()).isEqualTo("parley.typing.v1");
        }
    }

    @Test
    void shouldLeaveEveryCommandToTheLingerWhenIdleFlushesAreOff() {
        MockProducer<String, byte[]> producer = lingeringProducer();
        try (CommandPublisher publisher = new CommandPublisher(producer, 5, 0, serdes.command(), 256 * 1024)) {
            CompletableFuture<Void> sent = publisher.publish(typing());

            assertThat(sent).isNotDone();
            assertThat(producer.completeNext()).isTrue();
            assertThat(sent).isCompleted();
        }
    }

    private static MockProducer<String, byte[]> lingeringProducer() {
        return new MockProducer<>(false, null, new StringSerializer(), new ByteArraySerializer());
    }

    private static Command typing() {
        return new Command("d_1", "u_1", new Origin("edge-1", "ws-1", null), new Typing(TypingState.START));
    }
}
