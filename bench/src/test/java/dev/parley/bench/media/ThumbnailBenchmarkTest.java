package dev.parley.bench.media;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The harness runs (a 1 MP photo, a few runs); the numbers in BENCHMARKS.md come from its main. */
class ThumbnailBenchmarkTest {

    @Test
    void shouldMeasureThumbnailTime() throws Exception {
        ThumbnailBenchmark.Result result = ThumbnailBenchmark.run(1, 1, 3);

        assertThat(result.runs()).isEqualTo(3);
        assertThat(result.fileBytes()).isPositive();
        assertThat(result.p50()).isPositive().isLessThanOrEqualTo(result.max());
        assertThat(result.summary()).contains("1 MP JPEG", "thumbnail p50");
    }
}
