package dev.parley.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.schema.TopicProvisioner;
import dev.parley.schema.TopicSpec;
import dev.parley.schema.Topics;
import dev.parley.testkit.KafkaClusterExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Provisioning against a real broker: commands carry the broker's clock, whatever the edge's says. */
@ExtendWith(KafkaClusterExtension.class)
class TopicProvisionerIT {

    private static final ConfigResource COMMANDS =
            new ConfigResource(ConfigResource.Type.TOPIC, Topics.COMMANDS.name());

    @Test
    void shouldConvergeAnExistingCommandsTopicToBrokerTimestamps() throws Exception {
        String bootstrap = KafkaClusterExtension.bootstrapServers();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            olderReleasesCommandsTopic(admin);
            assertThat(timestampType(admin)).isEqualTo("CreateTime");

            new TopicProvisioner(admin, (short) 1, 0, null).provisionCatalogue();
            // the controller has committed the change; the broker applies it from its metadata log
            assertThat(awaitTimestampType(admin, "LogAppendTime")).isEqualTo("LogAppendTime");
            new TopicProvisioner(admin, (short) 1, 0, null).provisionCatalogue(); // nothing left to change
            assertThat(timestampType(admin)).isEqualTo("LogAppendTime");
            // typing is read next to the membership changelog, which has the commands' partitions:
            // it follows the commands topic (3 if this test created it), not the catalogue's 12
            assertThat(partitions(admin, Topics.TYPING.name())).isEqualTo(partitions(admin, Topics.COMMANDS.name()));
        }

        // an edge clock years behind or ahead: the topology sees when the broker appended it
        long before = System.currentTimeMillis();
        List<RecordMetadata> written = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", bootstrap, "acks", "all"),
                new ByteArraySerializer(),
                new ByteArraySerializer())) {
            long farPast = Instant.parse("2001-01-01T00:00:00Z").toEpochMilli();
            long farFuture = Instant.now().plus(Duration.ofDays(3650)).toEpochMilli();
            for (long producerClock : new long[] {farPast, farFuture}) {
                written.add(producer.send(new ProducerRecord<>(
                                Topics.COMMANDS.name(), 0, producerClock, "k".getBytes(), "v".getBytes()))
                        .get());
            }
        }
        long after = System.currentTimeMillis();

        List<ConsumerRecord<byte[], byte[]>> read = readBack(bootstrap, written);
        assertThat(read).hasSize(2).allSatisfy(r -> {
            assertThat(r.timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);
            assertThat(r.timestamp()).isBetween(before, after);
        });
    }

    /** What provisioning before LogAppendTime left behind: the topic with the producer's timestamps. */
    private static void olderReleasesCommandsTopic(Admin admin) throws Exception {
        TopicSpec spec = Topics.COMMANDS;
        try {
            admin.createTopics(List.of(new NewTopic(spec.name(), 3, (short) 1)
                            .configs(Map.of(TopicSpec.TIMESTAMP_TYPE, "CreateTime"))))
                    .all()
                    .get();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
            Map<ConfigResource, Collection<AlterConfigOp>> toCreateTime = Map.of(
                    COMMANDS,
                    List.of(new AlterConfigOp(
                            new ConfigEntry(TopicSpec.TIMESTAMP_TYPE, "CreateTime"), AlterConfigOp.OpType.SET)));
            admin.incrementalAlterConfigs(toCreateTime).all().get();
        }
    }

    private static int partitions(Admin admin, String topic) throws Exception {
        return admin.describeTopics(List.of(topic))
                .allTopicNames()
                .get()
                .get(topic)
                .partitions()
                .size();
    }

    private static String awaitTimestampType(Admin admin, String wanted) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        String seen = timestampType(admin);
        while (!wanted.equals(seen) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            seen = timestampType(admin);
        }
        return seen;
    }

    private static String timestampType(Admin admin) throws Exception {
        return admin.describeConfigs(List.of(COMMANDS))
                .all()
                .get()
                .get(COMMANDS)
                .get(TopicSpec.TIMESTAMP_TYPE)
                .value();
    }

    private static List<ConsumerRecord<byte[], byte[]>> readBack(String bootstrap, List<RecordMetadata> written) {
        TopicPartition partition = new TopicPartition(Topics.COMMANDS.name(), 0);
        List<ConsumerRecord<byte[], byte[]>> read = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
                Map.of("bootstrap.servers", bootstrap, "enable.auto.commit", "false"),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.assign(List.of(partition));
            consumer.seek(partition, written.get(0).offset());
            long last = written.get(written.size() - 1).offset();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (read.size() < written.size() && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.offset() <= last) {
                        read.add(r);
                    }
                }
            }
        }
        return read;
    }
}
