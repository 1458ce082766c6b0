package dev.parley.edge.history;

import dev.parley.schema.AvroSerde;
import dev.parley.schema.ConversationEvent;
import dev.parley.schema.MessageDeleted;
import dev.parley.schema.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Utils;

/**
 * Whether a projection (the Cassandra sink for history, the search sink for search) has applied
 * the delete of a message, from that sink's committed consumer-group offset, not a guess: the {@code MessageDeleted} of that seq
 * is looked for in parley.events.v1 between the sink's committed offset of the conversation's
 * partition and the partition's end. Found there: not applied yet. Not there: it lies below the
 * committed offset, so the sink has written it. The scan reads at most {@code maxRecords} records
 * (the sink's lag on that partition); beyond that the answer is unknown (null).
 */
public final class ErasureCheck {

    private final Admin admin;
    private final String bootstrapServers;
    private final String sinkGroup;
    private final String searchGroup;
    private final AvroSerde<ConversationEvent> events;
    private final int maxRecords;

    public ErasureCheck(
            Admin admin,
            String bootstrapServers,
            String sinkGroup,
            String searchGroup,
            AvroSerde<ConversationEvent> events,
            int maxRecords) {
        this.admin = admin;
        this.bootstrapServers = bootstrapServers;
        this.sinkGroup = sinkGroup;
        this.searchGroup = searchGroup;
        this.events = events;
        this.maxRecords = maxRecords;
    }

    /** True: applied; false: the delete is still ahead of the sink; null: lag beyond the scan bound. */
    public Boolean historyApplied(String conversationId, long seq) throws Exception {
        return applied(sinkGroup, false, conversationId, seq);
    }

    /**
     * The same for the search index; null also when the search sink has committed nothing (not
     * deployed: nothing to erase from, and nothing to claim).
     */
    public Boolean searchApplied(String conversationId, long seq) throws Exception {
        return applied(searchGroup, true, conversationId, seq);
    }

    private Boolean applied(String group, boolean unknownWithoutOffsets, String conversationId, long seq)
            throws Exception {
        int partitions = admin.describeTopics(List.of(Topics.EVENTS.name()))
                .allTopicNames()
                .get(10, TimeUnit.SECONDS)
                .get(Topics.EVENTS.name())
                .partitions()
                .size();
        // the producer's default partitioner for a keyed record
        int p = Utils.toPositive(Utils.murmur2(conversationId.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                % partitions;
        TopicPartition partition = new TopicPartition(Topics.EVENTS.name(), p);
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata()
                .get(10, TimeUnit.SECONDS);
        if (unknownWithoutOffsets && committed.isEmpty()) {
            return null;
        }
        OffsetAndMetadata sinkAt = committed.get(partition);
        long from = sinkAt == null ? 0 : sinkAt.offset();
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(List.of(partition));
            long end = consumer.endOffsets(List.of(partition), Duration.ofSeconds(10))
                    .get(partition);
            if (end - from > maxRecords) {
                return null;
            }
            consumer.seek(partition, from);
            while (consumer.position(partition, Duration.ofSeconds(10)) < end) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (!conversationId.equals(r.key())) {
                        continue;
                    }
                    ConversationEvent e = events.deserialize(r.topic(), r.value());
                    if (e.getPayload() instanceof MessageDeleted d && d.getTargetSeq() == seq) {
                        return false;
                    }
                }
            }
            return true;
        }
    }
}
