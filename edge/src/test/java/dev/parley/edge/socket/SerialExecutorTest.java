package dev.parley.edge.socket;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SerialExecutorTest {

    @Test
    void shouldRunTasksInOrderAndDropThemQuietlyOnceThePoolStopped() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        SerialExecutor lane = new SerialExecutor(pool);
        List<Integer> ran = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 1000; i++) {
            int n = i;
            lane.execute(() -> ran.add(n));
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(ran).hasSize(1000).isSorted();

        // a socket Undertow closes after the edge's workers stopped: no RejectedExecutionException
        // out of its close listener (Undertow would log it at ERROR), the task is dropped
        lane.execute(() -> ran.add(-1));
        assertThat(ran).hasSize(1000);
    }
}
