package dev.parley.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.schema.Command;
import dev.parley.schema.ConversationEvent;
import dev.parley.schema.ConversationType;
import dev.parley.schema.CreateConversation;
import dev.parley.schema.MessagePosted;
import dev.parley.schema.Origin;
import dev.parley.schema.ParleySerdes;
import dev.parley.schema.SendMessage;
import dev.parley.schema.TopicProvisioner;
import dev.parley.schema.Topics;
import dev.parley.testkit.KafkaClusterExtension;
import dev.parley.testkit.RedisServerExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two topology instances in their own JVMs; one is killed with SIGKILL (no clean shutdown) while
 * 5,000 messages flow. The events topic must end with every message exactly once, with dense seqs
 * per conversation: the survivor takes over the dead instance's partitions, its open transaction
 * is aborted, and the uncommitted input is processed again.
 */
@ExtendWith({KafkaClusterExtension.class, RedisServerExtension.class})
class TopologyFailoverIT {

    private static final int MESSAGES = 5_000;
    private static final int CONVERSATIONS = 20;

    private final ParleySerdes serdes = new ParleySerdes();

    @Test
    void shouldKeepEveryMessageExactlyOnceAndDenseWhenAnInstanceIsKilled() throws Exception {
        String bootstrap = KafkaClusterExtension.bootstrapServers();
        String prefix = RedisServerExtension.newKeyPrefix();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            new TopicProvisioner(admin, (short) 1, 4, null).provisionCatalogue();
            new TopicProvisioner(admin, (short) 1, 0, null).provisionDelivery("e1");
        }
        String applicationId = KafkaClusterExtension.unique("parley-failover");
        String convPrefix = "g_" + applicationId.replace("parley-failover-", "") + "_";
        Process a = fork(bootstrap, applicationId, prefix, "a");
        Process b = fork(bootstrap, applicationId, prefix, "b");
        try (KafkaProducer<String, byte[]> producer = ConversationTopologyIT.producer(bootstrap)) {
            awaitBothInstancesOwnPartitions(bootstrap, applicationId);
            for (int c = 0; c < CONVERSATIONS; c++) {
                send(
                        producer,
                        new Command(
                                convPrefix + c,
                                "alice",
                                new Origin("e1", null, null),
                                new CreateConversation(ConversationType.GROUP, null, List.of("bob"), null, null)));
            }
            for (int i = 0; i < MESSAGES; i++) {
                send(
                        producer,
                        new Command(
                                convPrefix + (i % CONVERSATIONS),
                                "alice",
                                new Origin("e1", null, null),
                                new SendMessage("m" + i, "message " + i, List.of(), null, null, List.of(), List.of())));
                if (i == MESSAGES / 3) {
                    producer.flush();
                    a.destroyForcibly().waitFor();
                }
                if (i % 200 == 0) {
                    producer.flush(); // a steady stream, not one burst
                }
            }
            producer.flush();

            List<ConversationEvent> posted = new ArrayList<>();
            int total = CONVERSATIONS + MESSAGES;
            for (var r : ConversationTopologyIT.readCommitted(
                    bootstrap, Topics.EVENTS.name(), total, key -> key.startsWith(convPrefix))) {
                ConversationEvent e = serdes.event().deserialize(r.topic(), r.value());
                if (e.getPayload() instanceof MessagePosted) {
                    posted.add(e);
                }
            }
            Set<String> clientIds = new HashSet<>();
            Map<String, Long> lastSeq = new HashMap<>();
            for (ConversationEvent e : posted) {
                assertThat(clientIds.add(((MessagePosted) e.getPayload()).getClientMsgId()))
                        .as("duplicate %s", e)
                        .isTrue();
                long expected = lastSeq.getOrDefault(e.getConversationId(), 0L) + 1;
                assertThat(e.getSeq())
                        .as("dense seq in %s", e.getConversationId())
                        .isEqualTo(expected);
                lastSeq.put(e.getConversationId(), e.getSeq());
            }
            assertThat(clientIds).hasSize(MESSAGES);
        } finally {
            a.destroyForcibly();
            b.destroy();
            b.waitFor();
        }
    }

    /** Otherwise the kill could hit an instance that owns nothing, and the test would prove nothing. */
    private static void awaitBothInstancesOwnPartitions(String bootstrap, String groupId) throws Exception {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            while (true) {
                String seen;
                try {
                    var group = admin.describeConsumerGroups(List.of(groupId))
                            .all()
                            .get()
                            .get(groupId);
                    long owners = group.members().stream()
                            .filter(m -> !m.assignment().topicPartitions().isEmpty())
                            .count();
                    if (owners == 2) {
                        return;
                    }
                    seen = group.toString();
                } catch (java.util.concurrent.ExecutionException e) {
                    seen = e.getCause().toString(); // the group does not exist until the first join
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("both instances never owned partitions: " + seen);
                }
                java.util.concurrent.locks.LockSupport.parkNanos(200_000_000L);
            }
        }
    }

    private static Process fork(String bootstrap, String applicationId, String prefix, String name) throws Exception {
        Path state = Files.createTempDirectory("parley-failover-" + name);
        Path log = Path.of("target", "failover-" + name + ".log");
        ProcessBuilder pb = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx256m",
                        "-cp",
                        System.getProperty("java.class.path"),
                        TopologyMain.class.getName())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.put("PARLEY_BOOTSTRAP_SERVERS", bootstrap);
        env.put("PARLEY_APPLICATION_ID", applicationId);
        env.put("PARLEY_STATE_DIR", state.toString());
        env.put("PARLEY_REDIS_URL", RedisServerExtension.url());
        env.put("PARLEY_REDIS_KEY_PREFIX", prefix);
        // no topics.partitions: the catalogue may already exist on this JVM's shared broker with
        // another count (the first test to provision it wins); any count of 2 or more splits work
        // between the two instances
        env.put("PARLEY_METRICS_PORT", "0"); // two instances on one machine
        // the survivor takes the killed instance's tasks once its session expires: 10 s as under
        // ./parley up rather than the 45 s default, which would only make this test wait longer
        env.put("PARLEY_SESSION_TIMEOUT_MS", "10000");
        return pb.start();
    }

    private void send(KafkaProducer<String, byte[]> producer, Command command) {
        producer.send(new ProducerRecord<>(
                Topics.COMMANDS.name(),
                command.getConversationId(),
                serdes.command().serialize(Topics.COMMANDS.name(), command)));
    }
}
