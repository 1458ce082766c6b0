package dev.parley.edge.socket;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import org.junit.jupiter.api.Test;

class InboundLaneTest {

    /** A lane that runs nothing until told: frames pile up as they do behind a slow Kafka. */
    private final Queue<Runnable> pending = new ArrayDeque<>();

    private final List<String> reads = new ArrayList<>();
    private final InboundLane lane =
            new InboundLane(pending::add, 4, () -> reads.add("suspend"), () -> reads.add("resume"));

    @Test
    void shouldSuspendReadsWhenTheBoundIsReachedAndResumeWhenHalfHaveDrained() {
        List<Integer> handled = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int n = i;
            lane.execute(() -> handled.add(n));
        }
        assertThat(reads).isEmpty();

        lane.execute(() -> handled.add(3));
        assertThat(reads).containsExactly("suspend");
        assertThat(lane.waiting()).isEqualTo(4);

        pending.poll().run();
        assertThat(reads).as("3 waiting: still more than half").containsExactly("suspend");
        pending.poll().run();
        assertThat(reads).containsExactly("suspend", "resume");

        while (!pending.isEmpty()) {
            pending.poll().run();
        }
        assertThat(handled).as("every frame handled, in order").containsExactly(0, 1, 2, 3);
        assertThat(lane.waiting()).isZero();
        assertThat(reads).containsExactly("suspend", "resume");
    }

    @Test
    void shouldCountAFrameAsHandledEvenWhenItFails() {
        for (int i = 0; i < 4; i++) {
            lane.execute(() -> {
                throw new IllegalStateException("boom");
            });
        }
        for (int i = 0; i < 4; i++) {
            try {
                pending.poll().run();
            } catch (IllegalStateException expected) {
                // the lane's pool logs it; the count must still go down
            }
        }
        assertThat(lane.waiting()).isZero();
        assertThat(reads).containsExactly("suspend", "resume");
    }
}
