package dev.parley.bench.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GcPausesTest {

    @Test
    void shouldCountOnlyThePausesLoggedInsideTheWindow(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("gc.log");
        Files.writeString(
                log,
                "[0.004s][info][gc] Using G1\n"
                        + "[0.398s][info][gc] GC(0) Pause Young (Normal) (G1 Evacuation Pause) 6M->3M(64M) 96.367ms\n");
        GcPauses window = GcPauses.start(log);
        Files.writeString(
                log,
                "[0.708s][info][gc] GC(6) Pause Young (Concurrent Start) (G1 Evacuation Pause) 37M->37M(64M) 3.793ms\n"
                        + "[0.708s][info][gc] GC(7) Concurrent Mark Cycle\n"
                        + "[0.724s][info][gc] GC(7) Pause Remark 57M->43M(64M) 1.805ms\n"
                        + "[0.729s][info][gc] GC(7) Pause Cleanup 55M->55M(64M) 0.101ms\n"
                        + "[0.743s][info][gc] GC(22) Pause Full (G1 Compaction Pause) 62M->9M(37M) 7.739ms\n"
                        + "[0.743s][info][gc] GC(7) Concurrent Mark Cycle 34.843ms\n",
                StandardOpenOption.APPEND);

        // the 96 ms pause before the window and the concurrent cycle's 34.8 ms are not counted
        assertThat(window.finish(2))
                .isEqualTo(
                        "4 pauses (2.0/s), 13 ms in all (0.67% of the window), median (upper) 3.8 ms, longest 7.7 ms");
    }
}
