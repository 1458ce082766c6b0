package dev.parley.edge;

import dev.parley.connect.search.OpenSearchSinkConfig;
import dev.parley.connect.search.OpenSearchSinkTask;
import dev.parley.schema.Topics;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTaskContext;

/**
 * The search sink without a Connect worker: reads committed events as bytes (the sink runs with
 * {@code ByteArrayConverter}) and hands them to the sink's own {@link OpenSearchSinkTask}, which
 * creates the index and alias and writes the documents the search API reads. A batch the task
 * asks to be redelivered ({@link RetriableException}) is put again, as the worker would.
 */
final class EventsToSearch implements AutoCloseable {

    private final KafkaConsumer<String, byte[]> consumer;
    private final OpenSearchSinkTask task = new OpenSearchSinkTask();
    private final Thread thread;
    private volatile boolean running = true;

    EventsToSearch(String bootstrap, String url, String index) {
        // the task asks its context only for a back-off on retries and for the errant record
        // reporter (null: a refused document fails loudly, which no test here should cause)
        task.initialize((SinkTaskContext) Proxy.newProxyInstance(
                SinkTaskContext.class.getClassLoader(), new Class<?>[] {SinkTaskContext.class}, (p, m, a) -> null));
        task.start(Map.of(OpenSearchSinkConfig.URLS, url, OpenSearchSinkConfig.INDEX, index));
        this.consumer = new KafkaConsumer<>(
                Map.of(
                        "bootstrap.servers", bootstrap,
                        "group.id", "events-to-search-" + UUID.randomUUID(),
                        "auto.offset.reset", "earliest",
                        "isolation.level", "read_committed",
                        "enable.auto.commit", "false"),
                new StringDeserializer(),
                new ByteArrayDeserializer());
        consumer.subscribe(List.of(Topics.EVENTS.name()));
        this.thread = new Thread(this::run, "events-to-search");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            while (running) {
                List<SinkRecord> batch = new ArrayList<>();
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    batch.add(new SinkRecord(r.topic(), r.partition(), null, r.key(), null, r.value(), r.offset()));
                }
                put(batch);
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close();
        }
    }

    private void put(List<SinkRecord> batch) {
        while (running && !batch.isEmpty()) {
            try {
                task.put(batch);
                return;
            } catch (RetriableException e) {
                // redelivered, as a worker redelivers it after the task's back-off
                try {
                    Thread.sleep(100);
                } catch (InterruptedException stop) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(10_000);
        task.stop();
    }
}
