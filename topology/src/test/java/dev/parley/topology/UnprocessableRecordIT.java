package dev.parley.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.schema.Command;
import dev.parley.schema.CommandRejected;
import dev.parley.schema.ConversationEvent;
import dev.parley.schema.ConversationIds;
import dev.parley.schema.ConversationType;
import dev.parley.schema.CreateConversation;
import dev.parley.schema.Delivery;
import dev.parley.schema.MessagePosted;
import dev.parley.schema.Origin;
import dev.parley.schema.ParleySerdes;
import dev.parley.schema.SendMessage;
import dev.parley.schema.TopicProvisioner;
import dev.parley.schema.Topics;
import dev.parley.testkit.KafkaClusterExtension;
import dev.parley.topology.routing.SessionDirectory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The production Streams settings under exactly_once_v2 on a real broker: a command whose routing
 * throws is dead-lettered and answered, the commands after it are processed, and no stream thread
 * ever fails (which REPLACE_THREAD would turn into a loop on that record).
 */
@ExtendWith(KafkaClusterExtension.class)
class UnprocessableRecordIT {

    private final ParleySerdes serdes = new ParleySerdes();

    /** A router bug that fires for one user's conversations only. */
    private static final class FailingFor implements SessionDirectory {
        private final String user;

        FailingFor(String user) {
            this.user = user;
        }

        @Override
        public Map<String, Set<String>> locate(Collection<String> userIds) {
            if (userIds.contains(user)) {
                throw new IllegalStateException("router bug on " + user);
            }
            return Map.of();
        }

        @Override
        public Set<String> knownLiveEdges() {
            return Set.of();
        }
    }

    @Test
    void shouldDeadLetterACommandWhoseRoutingThrowsAndGoOnWithoutReplacingAThread() throws Exception {
        String bootstrap = KafkaClusterExtension.bootstrapServers();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            new TopicProvisioner(admin, (short) 1, 3, null).provisionCatalogue();
            new TopicProvisioner(admin, (short) 1, 0, null).provisionDelivery("e1");
        }
        TopologySettings settings = new TopologySettings(Map.of(
                TopologySettings.BOOTSTRAP_SERVERS,
                bootstrap,
                TopologySettings.APPLICATION_ID,
                KafkaClusterExtension.unique("parley-unprocessable"),
                TopologySettings.STATE_DIR,
                Files.createTempDirectory("parley-unprocessable").toString()));
        String alice = KafkaClusterExtension.unique("alice");
        String mallory = KafkaClusterExtension.unique("mallory");
        String fine = ConversationIds.direct(alice, "bob");
        String poisoned = ConversationIds.direct(alice, mallory);

        AtomicInteger failedThreads = new AtomicInteger();
        KafkaStreams streams = new KafkaStreams(
                ConversationTopology.build(settings.topologyConfig(), serdes, new FailingFor(mallory)),
                settings.streamsProperties());
        streams.setUncaughtExceptionHandler(e -> {
            failedThreads.incrementAndGet();
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.start();
        try (KafkaProducer<String, byte[]> producer = ConversationTopologyIT.producer(bootstrap)) {
            send(producer, create(poisoned, alice, mallory));
            send(producer, create(fine, alice, "bob"));
            send(producer, message(poisoned, alice, "p-1"));
            send(producer, message(fine, alice, "f-1"));
            producer.flush();

            List<ConversationEvent> fineEvents =
                    ConversationTopologyIT.readCommitted(bootstrap, Topics.EVENTS.name(), 2, fine::equals).stream()
                            .map(r -> serdes.event().deserialize(r.topic(), r.value()))
                            .toList();
            assertThat(fineEvents).anySatisfy(e -> assertThat(e.getPayload()).isInstanceOf(MessagePosted.class));

            var dead = ConversationTopologyIT.readCommitted(bootstrap, Topics.DEAD_LETTER.name(), 2, poisoned::equals);
            assertThat(dead).hasSize(2).allSatisfy(r -> assertThat(new String(
                            r.headers().lastHeader(DeadLetters.HEADER_ERROR).value(), StandardCharsets.UTF_8))
                    .contains("router bug"));
            assertThat(serdes.command().deserialize("t", dead.get(1).value()).getPayload())
                    .isInstanceOf(SendMessage.class);

            List<Delivery> answers =
                    ConversationTopologyIT.readCommitted(
                                    bootstrap, Topics.delivery("e1").name(), 2, poisoned::equals)
                            .stream()
                            .map(r -> serdes.delivery().deserialize(r.topic(), r.value()))
                            .toList();
            assertThat(answers).extracting(Delivery::getPayload).allSatisfy(p -> assertThat(p)
                    .isInstanceOfSatisfying(
                            CommandRejected.class, r -> assertThat(r.getCode()).isEqualTo("internal")));
            assertThat(failedThreads).hasValue(0);
            assertThat(streams.state()).isEqualTo(KafkaStreams.State.RUNNING);
        } finally {
            streams.close(CloseOptions.timeout(Duration.ofSeconds(30)));
        }
    }

    private static Command create(String conversationId, String creator, String other) {
        return new Command(
                conversationId,
                creator,
                new Origin("e1", "conn-" + creator, "create-" + conversationId),
                new CreateConversation(ConversationType.DIRECT, null, List.of(other), null, null));
    }

    private static Command message(String conversationId, String sender, String clientMsgId) {
        return new Command(
                conversationId,
                sender,
                new Origin("e1", "conn-" + sender, clientMsgId),
                new SendMessage(clientMsgId, "hello", List.of(), null, null, List.of(), List.of()));
    }

    private void send(KafkaProducer<String, byte[]> producer, Command command) {
        producer.send(new ProducerRecord<>(
                Topics.COMMANDS.name(),
                command.getConversationId(),
                serdes.command().serialize(Topics.COMMANDS.name(), command)));
    }
}
