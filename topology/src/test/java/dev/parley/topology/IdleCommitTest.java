package dev.parley.topology;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IdleCommitTest {

    @Test
    void shouldCommitACommandThatEndsAQuietSpellOfInputAndLeaveABurstToTheInterval() {
        IdleCommit idle = new IdleCommit(20);

        assertThat(idle.afterRecordAppendedAt(1_000))
                .as("the first command a task sees")
                .isTrue();
        assertThat(idle.afterRecordAppendedAt(1_003))
                .as("appended 3 ms later: part of a burst")
                .isFalse();
        assertThat(idle.afterRecordAppendedAt(1_010)).isFalse();
        assertThat(idle.afterRecordAppendedAt(1_030))
                .as("20 ms of quiet input before it")
                .isTrue();
        assertThat(idle.afterRecordAppendedAt(1_031)).isFalse();
    }

    @Test
    void shouldJudgeByAppendTimeSoABacklogProcessedLateDoesNotCommitPerRecord() {
        IdleCommit idle = new IdleCommit(20);
        idle.afterRecordAppendedAt(1_000);

        // a thread that was busy committing for 50 ms then reads records appended 3 ms apart: by the
        // wall clock each batch would look idle, by the append times none is
        int commits = 0;
        for (long t = 1_003; t < 2_000; t += 3) {
            commits += idle.afterRecordAppendedAt(t) ? 1 : 0;
        }
        assertThat(commits).isZero();
    }

    @Test
    void shouldNeverAskWhenTurnedOff() {
        IdleCommit off = new IdleCommit(0);

        assertThat(off.afterRecordAppendedAt(1_000)).isFalse();
        assertThat(off.afterRecordAppendedAt(60_000)).isFalse();
    }
}
