package dev.parley.edge;

import com.datastax.oss.driver.api.core.CqlSession;
import dev.parley.schema.ConversationEvent;
import dev.parley.schema.ParleySerdes;
import dev.parley.schema.Topics;
import dev.parley.schema.history.EventWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The Cassandra sink's write path without a Connect worker: reads committed events and stores each
 * with the sink's own {@link EventWriter}, so history, conversation lists and members read by the
 * edge are what the sink would write. For tests of clients that need history (the web page).
 */
final class EventsToCassandra implements AutoCloseable {

    private final KafkaConsumer<String, ConversationEvent> consumer;
    private final CqlSession session;
    private final EventWriter writer;
    private final Thread thread;
    private volatile boolean running = true;

    EventsToCassandra(String bootstrap, CqlSession session, String keyspace) {
        this.session = session;
        this.writer = new EventWriter(session, keyspace, 64, 4096);
        this.consumer = new KafkaConsumer<>(
                Map.of(
                        "bootstrap.servers", bootstrap,
                        "group.id", "events-to-cassandra-" + UUID.randomUUID(),
                        "auto.offset.reset", "earliest",
                        "isolation.level", "read_committed",
                        "enable.auto.commit", "false"),
                new StringDeserializer(),
                new ParleySerdes().event().deserializer());
        consumer.subscribe(List.of(Topics.EVENTS.name()));
        this.thread = new Thread(this::run, "events-to-cassandra");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            while (running) {
                List<CompletableFuture<Void>> writes = new ArrayList<>();
                for (ConsumerRecord<String, ConversationEvent> record : consumer.poll(Duration.ofMillis(100))) {
                    writes.add(writer.write(record.value()));
                }
                writes.forEach(CompletableFuture::join);
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close();
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(10_000);
        writer.close();
        session.close();
    }
}
