package dev.parley.edge;

import dev.parley.schema.ConversationEvent;
import dev.parley.schema.ParleySerdes;
import dev.parley.schema.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Follows {@code parley.events.v1} from its start, committed events only (as every sink reads it),
 * on a thread of its own, handing each poll's events to {@code batch}. What a sink does with them
 * is the caller's: {@link EventsToCassandra}, {@link EventsToSearch}.
 */
final class CommittedEvents implements AutoCloseable {

    interface Batch {
        void accept(List<ConversationEvent> events) throws Exception;
    }

    private final KafkaConsumer<String, ConversationEvent> consumer;
    private final Thread thread;
    private volatile boolean running = true;

    CommittedEvents(String bootstrap, String name, Batch batch) {
        this.consumer = new KafkaConsumer<>(
                Map.of(
                        "bootstrap.servers", bootstrap,
                        "group.id", name + "-" + UUID.randomUUID(),
                        "auto.offset.reset", "earliest",
                        "isolation.level", "read_committed",
                        "enable.auto.commit", "false"),
                new StringDeserializer(),
                new ParleySerdes().event().deserializer());
        consumer.subscribe(List.of(Topics.EVENTS.name()));
        this.thread = new Thread(() -> run(batch), name);
        thread.setDaemon(true);
        thread.start();
    }

    private void run(Batch batch) {
        try {
            while (running) {
                List<ConversationEvent> events = new ArrayList<>();
                for (ConsumerRecord<String, ConversationEvent> r : consumer.poll(Duration.ofMillis(100))) {
                    events.add(r.value());
                }
                if (!events.isEmpty()) {
                    batch.accept(events);
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            consumer.close();
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(10_000);
    }
}
