package dev.parley.topology;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IdleCommitTest {

    @Test
    void shouldCommitACommandThatEndsAQuietSpellOfInputAndLeaveABurstToTheInterval() {
        IdleCommit idle = new IdleCommit(20);

        assertThat(idle.afterRecord(1_000, 1_000))
                .as("the first command a task sees")
                .isTrue();
        assertThat(idle.afterRecord(1_003, 1_003))
                .as("appended 3 ms later: part of a burst")
                .isFalse();
        assertThat(idle.afterRecord(1_010, 1_010)).isFalse();
        assertThat(idle.afterRecord(1_030, 1_030))
                .as("20 ms of quiet input before it")
                .isTrue();
        assertThat(idle.afterRecord(1_031, 1_031)).isFalse();
    }

    @Test
    void shouldJudgeByAppendTimeSoABacklogProcessedLateDoesNotCommitPerRecord() {
        IdleCommit idle = new IdleCommit(20);
        idle.afterRecord(1_000, 1_000);

        // a thread that was busy committing for 50 ms then reads records appended 3 ms apart: by the
        // wall clock each batch would look idle, by the append times none is
        int commits = 0;
        for (long t = 1_003; t < 2_000; t += 3) {
            commits += idle.afterRecord(t, t + 50) ? 1 : 0;
        }
        assertThat(commits).isZero();
    }

    @Test
    void shouldJudgeTheInstancesWholeInputSoPartitionsThatAreEachQuietDoNotAskUnderLoad() {
        // one IdleCommit is shared by every task of an instance: three partitions at 333 commands/s
        // each are 3 ms apart per partition but 1 ms apart together, and nobody asks
        IdleCommit shared = new IdleCommit(20);
        shared.afterRecord(1_000, 1_000);
        int commits = 0;
        for (long t = 1_001; t < 2_000; t++) {
            commits += shared.afterRecord(t, t) ? 1 : 0;
        }
        assertThat(commits).isZero();

        assertThat(shared.afterRecord(2_000, 2_000))
                .as("a partition quiet for 25 ms on its own, the instance not")
                .isFalse();
        // a stream thread that lags behind another processes an older append later: never idle
        assertThat(shared.afterRecord(1_990, 1_990)).isFalse();
        assertThat(shared.afterRecord(2_030, 2_030))
                .as("30 ms after the latest append of any partition")
                .isTrue();
    }

    @Test
    void shouldAnswerEachQuietSpellOnceWhenThreadsReportConcurrently() throws Exception {
        IdleCommit shared = new IdleCommit(20);
        shared.afterRecord(1_000, 1_000);
        java.util.concurrent.atomic.AtomicInteger commits = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        Thread[] threads = new Thread[3];
        for (int i = 0; i < threads.length; i++) {
            long append = 1_100 + i; // three partitions' first commands after a 100 ms quiet spell
            threads[i] = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                if (shared.afterRecord(append, append)) {
                    commits.incrementAndGet();
                }
            });
            threads[i].start();
        }
        go.countDown();
        for (Thread t : threads) {
            t.join();
        }
        // whichever reports first ends the spell; the other two are then within 2 ms of it
        assertThat(commits.get()).isEqualTo(1);
    }

    @Test
    void shouldLeaveABacklogToTheIntervalEvenWhereItsAppendTimesHaveGaps() {
        IdleCommit idle = new IdleCommit(20);
        idle.afterRecord(1_000, 1_001);

        // bursts appended every 100 ms, processed 2 s late by a saturated instance: no commits asked
        int commits = 0;
        for (long burst = 1_100; burst < 3_000; burst += 100) {
            commits += idle.afterRecord(burst, burst + 2_000) ? 1 : 0;
        }
        assertThat(commits).isZero();
        assertThat(idle.afterRecord(3_000, 3_099))
                .as("caught up: processed 99 ms after its append, after 100 ms of quiet input")
                .isTrue();
        assertThat(idle.afterRecord(3_100, 3_200))
                .as("processed 100 ms after its append: the lag limit")
                .isFalse();
    }

    @Test
    void shouldNeverAskWhenTurnedOff() {
        IdleCommit off = new IdleCommit(0);

        assertThat(off.afterRecord(1_000, 1_000)).isFalse();
        assertThat(off.afterRecord(60_000, 60_000)).isFalse();
    }
}
