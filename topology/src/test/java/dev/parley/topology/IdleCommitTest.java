package dev.parley.topology;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IdleCommitTest {

    @Test
    void shouldCommitARecordThatEndsAQuietSpellAndLeaveABurstToTheInterval() {
        IdleCommit idle = new IdleCommit(20);

        assertThat(idle.afterRecordAt(1_000)).as("the first record a task sees").isTrue();
        assertThat(idle.afterRecordAt(1_003)).as("3 ms later: part of a burst").isFalse();
        assertThat(idle.afterRecordAt(1_010)).isFalse();
        assertThat(idle.afterRecordAt(1_030)).as("20 ms of quiet before it").isTrue();
        assertThat(idle.afterRecordAt(1_031)).isFalse();
    }

    @Test
    void shouldNeverAskWhenTurnedOff() {
        IdleCommit off = new IdleCommit(0);

        assertThat(off.afterRecordAt(1_000)).isFalse();
        assertThat(off.afterRecordAt(60_000)).isFalse();
    }
}
