package dev.parley.connect.cassandra;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Counts the records of a topic, waiting up to 30 s for at least {@code atLeast}. */
final class ConsumedRecords {

    private ConsumedRecords() {}

    static int count(String bootstrap, String topic, int atLeast) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("group.id", "count-" + UUID.randomUUID());
        p.put("auto.offset.reset", "earliest");
        int n = 0;
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (n < atLeast && System.nanoTime() < deadline) {
                n += consumer.poll(Duration.ofMillis(200)).count();
            }
            // one more poll: more than expected must show
            n += consumer.poll(Duration.ofMillis(500)).count();
        }
        return n;
    }
}
