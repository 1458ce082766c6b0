package dev.parley.edge.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A MockProducer that completes a send only when told to (completeNext) or when flushed stands for a
 * producer whose record waits its linger: a record whose future completes without completeNext was
 * sent by the flush.
 */
class IdleFlushTest {

    private static final long LINGER_MS = 5;

    private final AtomicInteger flushes = new AtomicInteger();
    private final MockProducer<String, String> producer =
            new MockProducer<>(false, null, new StringSerializer(), new StringSerializer()) {
                @Override
                public synchronized void flush() {
                    flushes.incrementAndGet();
                    super.flush();
                }
            };
    private final AtomicLong clockNanos = new AtomicLong(1_000_000_000L);
    private final IdleFlush idleFlush = new IdleFlush(producer, LINGER_MS, clockNanos::get);

    @AfterEach
    void close() {
        idleFlush.close();
    }

    @Test
    void shouldSendALoneCommandWithoutWaitingForTheLinger() throws Exception {
        Future<RecordMetadata> first = send();

        assertThat(first.get(10, TimeUnit.SECONDS).topic()).isEqualTo("parley.commands.v1");
        awaitNoFlushRunning();

        advanceMs(LINGER_MS);
        Future<RecordMetadata> afterQuietSpell = send();

        assertThat(afterQuietSpell.get(10, TimeUnit.SECONDS)).isNotNull();
        assertThat(flushes).hasValue(2);
    }

    @Test
    void shouldLeaveCommandsCloserTogetherThanTheLingerToBatch() throws Exception {
        send().get(10, TimeUnit.SECONDS);
        awaitNoFlushRunning();

        advanceMs(LINGER_MS - 1);
        Future<RecordMetadata> second = send();
        advanceMs(LINGER_MS - 1);
        Future<RecordMetadata> third = send();

        assertThat(second).isNotDone();
        assertThat(third).isNotDone();
        assertThat(flushes).hasValue(1);
        // they leave with their batch, as without idle flushes
        assertThat(producer.completeNext()).isTrue();
        assertThat(producer.completeNext()).isTrue();
        assertThat(second).isDone();
        assertThat(third).isDone();
    }

    @Test
    void shouldMeasureTheQuietSpellFromTheLatestSendOfABurst() throws Exception {
        send().get(10, TimeUnit.SECONDS);
        awaitNoFlushRunning();
        // a steady stream 4 ms apart for 40 ms: never a quiet spell, though 40 ms passed since the flush
        for (int i = 0; i < 10; i++) {
            advanceMs(LINGER_MS - 1);
            assertThat(idleFlush.afterSend()).isFalse();
        }

        advanceMs(LINGER_MS);

        assertThat(idleFlush.afterSend()).isTrue();
    }

    @Test
    void shouldAskForNoSecondFlushWhileOneIsRunning() throws Exception {
        producer.close();
        MockProducer<String, String> slow =
                new MockProducer<>(false, null, new StringSerializer(), new StringSerializer()) {
                    @Override
                    public void flush() {
                        flushes.incrementAndGet();
                        try {
                            Thread.sleep(60_000);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                };
        try (IdleFlush blocked = new IdleFlush(slow, LINGER_MS, clockNanos::get)) {
            assertThat(blocked.afterSend()).isTrue();
            advanceMs(LINGER_MS * 10);

            // the first flush still waits for its acks; this send is ready at once meanwhile
            assertThat(blocked.afterSend()).isFalse();
        }
    }

    @Test
    void shouldTakeNoFlushOnceClosed() {
        idleFlush.close();
        advanceMs(LINGER_MS);

        assertThat(idleFlush.afterSend()).isFalse();
    }

    private Future<RecordMetadata> send() {
        Future<RecordMetadata> sent = producer.send(new ProducerRecord<>("parley.commands.v1", "c1", "command"));
        idleFlush.afterSend();
        return sent;
    }

    private void advanceMs(long ms) {
        clockNanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
    }

    /** The flush thread clears its flag right after the flush returns, which is after the future completed. */
    private void awaitNoFlushRunning() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!idleFlush.flushRunning()) {
                return;
            }
            Thread.sleep(1);
        }
        throw new AssertionError("the flush did not end");
    }
}
