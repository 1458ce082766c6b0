package dev.parley.connect.cassandra;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads or counts the records of a topic, waiting up to 30 s for at least {@code atLeast}. */
final class ConsumedRecords {

    private ConsumedRecords() {}

    static int count(String bootstrap, String topic, int atLeast) {
        return read(bootstrap, topic, atLeast).size();
    }

    /** The records of a topic, waiting up to 30 s for at least {@code atLeast}, then one more poll. */
    static List<ConsumerRecord<byte[], byte[]>> read(String bootstrap, String topic, int atLeast) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("group.id", "count-" + UUID.randomUUID());
        p.put("auto.offset.reset", "earliest");
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (out.size() < atLeast && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            // one more poll: more than expected must show
            consumer.poll(Duration.ofMillis(500)).forEach(out::add);
        }
        return out;
    }
}
