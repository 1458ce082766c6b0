package dev.parley.bench.e2e;

import dev.parley.schema.Command;
import dev.parley.schema.CommandRejected;
import dev.parley.schema.ConversationType;
import dev.parley.schema.CreateConversation;
import dev.parley.schema.Delivery;
import dev.parley.schema.JoinChannel;
import dev.parley.schema.Origin;
import dev.parley.schema.ParleySerdes;
import dev.parley.schema.TopicProvisioner;
import dev.parley.schema.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Creates the benchmark's conversations before the clock starts: CreateConversation commands
 * straight onto parley.commands.v1 (as an edge would), acknowledged on a delivery topic of a
 * pseudo-edge, so the run begins only when the topology knows every conversation.
 */
final class ConversationSetup {

    private static final String SETUP_EDGE = "bench-setup";

    record Spec(String conversationId, String creator, ConversationType type, List<String> others) {}

    private ConversationSetup() {}

    static void create(String bootstrap, List<Spec> conversations) {
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<Command> commands = new java.util.ArrayList<>();
        int i = 0;
        for (Spec spec : conversations) {
            commands.add(new Command(
                    spec.conversationId(),
                    spec.creator(),
                    new Origin(SETUP_EDGE, "setup", run + "-" + i++),
                    new CreateConversation(spec.type(), null, spec.others(), null, null)));
        }
        apply(bootstrap, run, commands);
    }

    /** {@code users} join channel {@code channelId} (simulated memberships), as their edges would ask. */
    static void join(String bootstrap, String channelId, List<String> users) {
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<Command> commands = new java.util.ArrayList<>();
        int i = 0;
        for (String user : users) {
            commands.add(
                    new Command(channelId, user, new Origin(SETUP_EDGE, "setup", run + "-" + i++), new JoinChannel()));
        }
        apply(bootstrap, run, commands);
    }

    /** Produces {@code commands} (origins' client ids prefixed {@code run}) and waits for every answer. */
    private static void apply(String bootstrap, String run, List<Command> commands) {
        ParleySerdes serdes = new ParleySerdes();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            new TopicProvisioner(admin, (short) 1, 0, null).provisionDelivery(SETUP_EDGE);
        }
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-setup-" + run);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaProducer<String, byte[]> producer =
                        new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
                KafkaConsumer<String, byte[]> consumer =
                        new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.delivery(SETUP_EDGE).name()));
            for (Command command : commands) {
                producer.send(new ProducerRecord<>(
                        Topics.COMMANDS.name(),
                        command.getConversationId(),
                        serdes.command().serialize(Topics.COMMANDS.name(), command)));
            }
            producer.flush();
            int acked = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(600).toNanos();
            while (acked < commands.size()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("only " + acked + " of " + commands.size() + " commands answered");
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    Delivery d = serdes.delivery().deserialize(r.topic(), r.value());
                    if (d.getOrigin() == null || !d.getOrigin().getClientId().startsWith(run)) {
                        continue;
                    }
                    if (d.getPayload() instanceof CommandRejected rejected && !"conflict".equals(rejected.getCode())) {
                        throw new IllegalStateException("setup rejected: " + rejected);
                    }
                    acked++;
                }
            }
        }
    }
}
