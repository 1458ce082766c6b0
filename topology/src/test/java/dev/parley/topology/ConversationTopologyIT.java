package dev.parley.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.schema.Command;
import dev.parley.schema.ConversationEvent;
import dev.parley.schema.ConversationIds;
import dev.parley.schema.ConversationType;
import dev.parley.schema.CreateConversation;
import dev.parley.schema.Delivery;
import dev.parley.schema.MessagePosted;
import dev.parley.schema.Origin;
import dev.parley.schema.ParleySerdes;
import dev.parley.schema.RedisKeys;
import dev.parley.schema.SendMessage;
import dev.parley.schema.TopicProvisioner;
import dev.parley.schema.Topics;
import dev.parley.testkit.FreePorts;
import dev.parley.testkit.KafkaClusterExtension;
import dev.parley.testkit.RedisServerExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.JedisPooled;

/** The production topology under exactly_once_v2 on a real broker, with sessions in a real Redis. */
@ExtendWith({KafkaClusterExtension.class, RedisServerExtension.class})
class ConversationTopologyIT {

    private final ParleySerdes serdes = new ParleySerdes();

    @Test
    void shouldSequenceCommandsOntoTheEventsAndDeliveryTopicsExactlyOnce() throws Exception {
        String bootstrap = KafkaClusterExtension.bootstrapServers();
        String prefix = RedisServerExtension.newKeyPrefix();
        RedisKeys keys = new RedisKeys(prefix);
        try (JedisPooled redis = new JedisPooled("127.0.0.1", RedisServerExtension.port())) {
            redis.setex(keys.edgeHeartbeat("e1"), 60, "1");
            redis.hset(keys.sessions("bob"), "conn-bob", "e1");
        }
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            new TopicProvisioner(admin, (short) 1, 3, null).provisionCatalogue();
            new TopicProvisioner(admin, (short) 1, 0, null).provisionDelivery("e1");
        }
        Path state = Files.createTempDirectory("parley-it-state");
        int metricsPort = FreePorts.next();
        TopologySettings settings = new TopologySettings(Map.of(
                TopologySettings.METRICS_PORT,
                metricsPort,
                TopologySettings.BOOTSTRAP_SERVERS,
                bootstrap,
                TopologySettings.APPLICATION_ID,
                KafkaClusterExtension.unique("parley-it"),
                TopologySettings.STATE_DIR,
                state.toString(),
                TopologySettings.TOPIC_PARTITIONS,
                "3",
                TopologySettings.REDIS_URL,
                RedisServerExtension.url(),
                TopologySettings.REDIS_KEY_PREFIX,
                prefix));

        String alice = KafkaClusterExtension.unique("alice");
        String conv = ConversationIds.direct(alice, "bob");
        int messages = 200;
        try (TopologyMain.RunningTopology running = TopologyMain.start(settings);
                KafkaProducer<String, byte[]> producer = producer(bootstrap)) {
            send(
                    producer,
                    new Command(
                            conv,
                            alice,
                            new Origin("e1", "http-1", "create"),
                            new CreateConversation(ConversationType.DIRECT, null, List.of("bob"), null, null)));
            for (int i = 0; i < messages; i++) {
                send(
                        producer,
                        new Command(
                                conv,
                                alice,
                                new Origin("e1", "conn-alice", "c" + i),
                                new SendMessage("m" + i, "message " + i, List.of(), null, null, List.of(), List.of())));
            }
            // undecodable: dead-lettered, and counted on /metrics
            producer.send(new ProducerRecord<>(Topics.COMMANDS.name(), conv, new byte[] {1, 2, 3}));
            // a retry of message 7 must not become message 201
            send(
                    producer,
                    new Command(
                            conv,
                            alice,
                            new Origin("e1", "conn-alice", "retry"),
                            new SendMessage("m7", "message 7", List.of(), null, null, List.of(), List.of())));
            producer.flush();

            List<ConversationEvent> events = new ArrayList<>();
            for (var r : readCommitted(bootstrap, Topics.EVENTS.name(), messages + 1, conv::equals)) {
                events.add(serdes.event().deserialize(r.topic(), r.value()));
            }
            List<Long> seqs = events.stream()
                    .filter(e -> e.getPayload() instanceof MessagePosted)
                    .map(ConversationEvent::getSeq)
                    .toList();
            assertThat(seqs).hasSize(messages);
            for (int i = 0; i < messages; i++) {
                assertThat(seqs.get(i)).isEqualTo(i + 1L);
            }

            List<Delivery> deliveries = new ArrayList<>();
            for (var r : readCommitted(bootstrap, Topics.delivery("e1").name(), messages + 2, conv::equals)) {
                deliveries.add(serdes.delivery().deserialize(r.topic(), r.value()));
            }
            assertThat(deliveries.stream().filter(d -> d.getRecipients().contains("bob")))
                    .hasSizeGreaterThanOrEqualTo(messages);
            Delivery retryAck = deliveries.stream()
                    .filter(d -> d.getOrigin() != null
                            && "retry".equals(d.getOrigin().getClientId()))
                    .findFirst()
                    .orElseThrow();
            assertThat(((dev.parley.schema.CommandAccepted) retryAck.getPayload()).getSeq())
                    .isEqualTo(8);

            String appId = settings.getString(TopologySettings.APPLICATION_ID);
            String scrape = awaitScrape(
                    metricsPort,
                    s -> deadLettered(s) >= 1
                            && s.contains(
                                    "parley_topology_state{application=\"" + appId + "\",state=\"RUNNING\"} 1.0"));
            assertThat(scrape)
                    .contains("kafka_consumer_fetch_manager_records_lag{client_id=\"" + appId)
                    .contains("kafka_stream_thread_commit_latency_avg{")
                    .contains("kafka_stream_state_estimate_num_keys{")
                    .contains("jvm_memory_used_bytes");
        }
        assertThat(TopologyMetricsProbe.isClosed(metricsPort))
                .as("closed with the topology")
                .isTrue();
    }

    /** Records the topology wrote to the dead-letter topic, summed over tasks, from a scrape. */
    private static double deadLettered(String scrape) {
        return scrape.lines()
                .filter(l -> l.startsWith("kafka_stream_topic_records_produced_total{")
                        && l.contains("topic=\"parley.deadletter.v1\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    private static String awaitScrape(int port, java.util.function.Predicate<String> done) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String scrape = "";
        while (System.nanoTime() < deadline) {
            scrape = TopologyMetricsProbe.scrape(port);
            if (done.test(scrape)) {
                return scrape;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("metrics never showed the dead letter and RUNNING:\n" + scrape);
    }

    private void send(KafkaProducer<String, byte[]> producer, Command command) throws Exception {
        producer.send(new ProducerRecord<>(
                Topics.COMMANDS.name(),
                command.getConversationId(),
                serdes.command().serialize(Topics.COMMANDS.name(), command)));
    }

    /** The edge's producer settings: acks=all, idempotent. */
    static KafkaProducer<String, byte[]> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return new KafkaProducer<>(
                p, new StringSerializer(), new org.apache.kafka.common.serialization.ByteArraySerializer());
    }

    /** Reads at least {@code count} committed records, failing after 150 s (a failover waits out a session timeout). */
    static List<ConsumerRecord<String, byte[]>> readCommitted(String bootstrap, String topic, int count) {
        return readCommitted(bootstrap, topic, count, key -> true);
    }

    /**
     * Reads committed records whose key passes {@code keyFilter} until there are at least {@code
     * count}: tests share one broker and so the fixed topics, and tell their records apart by key.
     */
    static List<ConsumerRecord<String, byte[]>> readCommitted(
            String bootstrap, String topic, int count, java.util.function.Predicate<String> keyFilter) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, KafkaClusterExtension.unique("reader"));
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(
                p, new StringDeserializer(), new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
            while (out.size() < count) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("read " + out.size() + " of " + count + " records from " + topic);
                }
                for (var r : consumer.poll(Duration.ofMillis(200))) {
                    if (keyFilter.test(r.key())) {
                        out.add(r);
                    }
                }
            }
        }
        return out;
    }
}
