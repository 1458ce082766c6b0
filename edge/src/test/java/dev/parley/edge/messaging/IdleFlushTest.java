package dev.parley.edge.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
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

    private static final long GAP_MS = 20;

    private final AtomicInteger flushes = new AtomicInteger();
    private final MockProducer<String, String> producer =
            new MockProducer<>(false, null, new StringSerializer(), new StringSerializer()) {
                @Override
                public synchronized void flush() {
                    flushes.incrementAndGet();
                    super.flush();
                }
            };
    private final CountDownLatch flushStarted = new CountDownLatch(1);
    private final AtomicLong clockNanos = new AtomicLong(1_000_000_000L);
    private final IdleFlush idleFlush = new IdleFlush(producer, GAP_MS, clockNanos::get);

    @AfterEach
    void close() {
        idleFlush.close();
    }

    @Test
    void shouldSendALoneCommandWithoutWaitingForTheLinger() throws Exception {
        Future<RecordMetadata> first = send(true);

        assertThat(first.get(10, TimeUnit.SECONDS).topic()).isEqualTo("parley.commands.v1");
        awaitNoFlushRunning(idleFlush);

        advanceMs(GAP_MS);
        Future<RecordMetadata> afterQuietSpell = send(true);

        assertThat(afterQuietSpell.get(10, TimeUnit.SECONDS)).isNotNull();
        assertThat(flushes).hasValue(2);
    }

    @Test
    void shouldLeaveCommandsCloserTogetherThanTheQuietSpellToBatch() throws Exception {
        send(true).get(10, TimeUnit.SECONDS);
        awaitNoFlushRunning(idleFlush);

        advanceMs(GAP_MS - 1);
        Future<RecordMetadata> second = send(false);
        advanceMs(GAP_MS - 1);
        Future<RecordMetadata> third = send(false);

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
        send(true).get(10, TimeUnit.SECONDS);
        awaitNoFlushRunning(idleFlush);
        // a steady stream 19 ms apart for 190 ms: never a quiet spell, though 190 ms passed since the flush
        for (int i = 0; i < 10; i++) {
            advanceMs(GAP_MS - 1);
            assertThat(idleFlush.afterSend()).isFalse();
        }

        advanceMs(GAP_MS);

        assertThat(idleFlush.afterSend()).isTrue();
    }

    @Test
    void shouldFlushAQuietSpellsEndSeenWhileAFlushRunsOnceItReturns() throws Exception {
        CountDownLatch acks = new CountDownLatch(1);
        MockProducer<String, String> slow = slowProducer(acks);
        try (IdleFlush blocked = new IdleFlush(slow, GAP_MS, clockNanos::get)) {
            assertThat(blocked.afterSend()).isTrue();
            assertThat(flushStarted.await(10, TimeUnit.SECONDS)).isTrue();
            advanceMs(GAP_MS);
            // the first flush still waits for its acks: no second task, but a second flush is owed
            assertThat(blocked.afterSend()).isTrue();
            assertThat(flushes).hasValue(1);

            acks.countDown();
            awaitNoFlushRunning(blocked);

            assertThat(flushes).hasValue(2);
        }
    }

    @Test
    void shouldOweNoFlushForABurstDuringAFlush() throws Exception {
        CountDownLatch acks = new CountDownLatch(1);
        MockProducer<String, String> slow = slowProducer(acks);
        try (IdleFlush blocked = new IdleFlush(slow, GAP_MS, clockNanos::get)) {
            assertThat(blocked.afterSend()).isTrue();
            assertThat(flushStarted.await(10, TimeUnit.SECONDS)).isTrue();
            advanceMs(1);
            assertThat(blocked.afterSend()).isFalse();

            acks.countDown();
            awaitNoFlushRunning(blocked);

            assertThat(flushes).hasValue(1);
        }
    }

    @Test
    void shouldTakeNoFlushOnceClosed() {
        idleFlush.close();
        advanceMs(GAP_MS);

        assertThat(idleFlush.afterSend()).isFalse();
    }

    /** A producer whose flush waits for {@code acks}, counting its flushes. */
    private MockProducer<String, String> slowProducer(CountDownLatch acks) {
        return new MockProducer<>(false, null, new StringSerializer(), new StringSerializer()) {
            @Override
            public void flush() {
                if (flushes.incrementAndGet() == 1) {
                    flushStarted.countDown();
                    try {
                        acks.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };
    }

    private Future<RecordMetadata> send(boolean endsQuietSpell) {
        Future<RecordMetadata> sent = producer.send(new ProducerRecord<>("parley.commands.v1", "c1", "command"));
        assertThat(idleFlush.afterSend()).as("ends a quiet spell").isEqualTo(endsQuietSpell);
        return sent;
    }

    private void advanceMs(long ms) {
        clockNanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
    }

    /** The flush thread clears its flag right after the flush returns, which is after the future completed. */
    private static void awaitNoFlushRunning(IdleFlush flush) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!flush.flushRunning()) {
                return;
            }
            Thread.sleep(1);
        }
        throw new AssertionError("the flush did not end");
    }
}
