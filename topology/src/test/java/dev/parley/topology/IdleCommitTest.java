package dev.parley.topology;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IdleCommitTest {

    private final IdleCommit idle = new IdleCommit(20);

    /** A command processed 1 ms after its append. */
    private boolean prompt(long appendMs) {
        return idle.afterRecord(appendMs, appendMs + 1);
    }

    @Test
    void shouldCommitACommandThatEndsAQuietSpellOfInputAndLeaveABurstToTheInterval() {
        assertThat(prompt(1_000)).as("the first command a task sees").isTrue();
        assertThat(prompt(1_003)).as("appended 3 ms later: part of a burst").isFalse();
        assertThat(prompt(1_010)).isFalse();
        assertThat(prompt(1_030)).as("20 ms of quiet input before it").isTrue();
        assertThat(prompt(1_031)).isFalse();
    }

    @Test
    void shouldJudgeByAppendTimeSoABacklogProcessedLateDoesNotCommitPerRecord() {
        prompt(1_000);

        // a thread that was busy committing for 50 ms then reads records appended 3 ms apart: by the
        // wall clock each batch would look idle, by the append times none is
        int commits = 0;
        for (long t = 1_003; t < 2_000; t += 3) {
            commits += idle.afterRecord(t, t + 50) ? 1 : 0;
        }
        assertThat(commits).isZero();
    }

    @Test
    void shouldNotAskForACommandProcessedLateEvenAfterAQuietSpell() {
        prompt(1_000);

        // the edge stalled for 100 ms, then its queued commands were appended and read 30 ms late:
        // a backlog, where a commit after its first command would hold up the rest
        assertThat(idle.afterRecord(1_100, 1_130)).isFalse();
        assertThat(idle.afterRecord(1_200, 1_201))
                .as("prompt again, after quiet input")
                .isTrue();
    }

    @Test
    void shouldNeverAskWhenTurnedOff() {
        IdleCommit off = new IdleCommit(0);

        assertThat(off.afterRecord(1_000, 1_000)).isFalse();
        assertThat(off.afterRecord(60_000, 60_000)).isFalse();
    }
}
