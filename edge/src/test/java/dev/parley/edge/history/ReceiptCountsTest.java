package dev.parley.edge.history;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReceiptCountsTest {

    @Test
    void shouldCountTheWatermarksAtOrAboveASeqIncludingRepeatsOfIt() {
        long[] marks = {0, 3, 5, 5, 5, 9};
        assertThat(ReceiptCounts.atLeast(marks, 1)).isEqualTo(5);
        assertThat(ReceiptCounts.atLeast(marks, 5)).as("every 5 counts").isEqualTo(4);
        assertThat(ReceiptCounts.atLeast(marks, 6)).isEqualTo(1);
        assertThat(ReceiptCounts.atLeast(marks, 10)).isZero();
        assertThat(ReceiptCounts.atLeast(new long[0], 1)).isZero();
    }
}
