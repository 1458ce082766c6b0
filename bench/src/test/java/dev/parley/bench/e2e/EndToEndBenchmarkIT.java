package dev.parley.bench.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A smoke run of the end-to-end harness against a real embedded stack: small sizes and seconds
 * instead of minutes. It checks that every scenario measures something and the report has every
 * section; the numbers themselves belong in BENCHMARKS.md, never in an assertion.
 */
class EndToEndBenchmarkIT {

    @Test
    void shouldRunEveryScenarioAgainstTheFloorAndReportIt() throws Exception {
        EndToEndBenchmark.Plan plan = EndToEndBenchmark.Plan.quick();
        EndToEndBenchmark.Outcome outcome =
                new EndToEndBenchmark().run(plan, Path.of("..").toAbsolutePath().normalize());

        assertThat(outcome.errorsA()).as("errors in scenario (a)").isZero();
        assertThat(outcome.deliveredA()).as("every 1:1 message delivered").isEqualTo(outcome.expectedA());
        assertThat(outcome.deliveredSingle())
                .as("every one-at-a-time message delivered")
                .isEqualTo(outcome.expectedSingle());
        assertThat(outcome.earlySingle())
                .as("the ?early=1 pair got early frames (each is counted delivered only once confirmed)")
                .isPositive();
        assertThat(outcome.typingSeen())
                .as("every typing frame reached the peer")
                .isEqualTo(outcome.expectedTyping());
        assertThat(outcome.deliveredGroup()).isPositive();
        assertThat(outcome.deliveredSmallGroups()).isPositive();
        assertThat(outcome.sinkLagSamples()).isPositive();
        assertThat(outcome.idleHeld()).isEqualTo(plan.idleConnections());
        assertThat(outcome.markdown())
                .contains(
                        "raw Kafka",
                        "Streams hop",
                        "(a) 1:1",
                        "(f) one message at a time",
                        "(f early) send to early (tentative) message frame",
                        "(g) typing to the peer",
                        "(b) highest",
                        "(c) one group",
                        "(c') 2 groups of 5",
                        "(d) idle",
                        "(e) Cassandra sink lag")
                .contains("Parley / floor")
                // the CPU split of (a) found the Cassandra child and the stack's own threads
                .containsPattern("\\| cassandra JVM \\| (?!0\\.00)\\d+\\.\\d\\d \\|")
                .containsPattern("\\| stack JVM \\(Kafka, Connect, topologies, edge\\) \\| (?!0\\.00)\\d+\\.\\d\\d \\|")
                .contains("| stack JVM threads | cores used |", "| cassandra JVM threads | cores used |");
    }
}
