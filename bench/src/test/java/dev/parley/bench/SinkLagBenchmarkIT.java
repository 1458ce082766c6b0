package dev.parley.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A smoke run of the harness: tiny rate and length; it checks the harness, not the numbers. */
class SinkLagBenchmarkIT {

    @Test
    void shouldMeasureTheLagOfEveryEvent() throws Exception {
        SinkLagBenchmark.Result result =
                SinkLagBenchmark.run(100, 3, Path.of("../cassandra-node/target/cassandra.classpath"));
        assertThat(result.events()).isEqualTo(300);
        assertThat(result.lagMicros().getTotalCount()).isEqualTo(300);
        assertThat(result.summary()).contains("p99");
    }
}
