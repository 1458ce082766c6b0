package dev.parley.bench.e2e;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/** The run's results as markdown, in the order they were measured. */
final class Report {

    private final List<String> lines = new ArrayList<>();

    void line(String format, Object... args) {
        String s = String.format(Locale.ROOT, format, args);
        lines.add(s);
        System.out.println(s);
    }

    static String ms(Histogram h, double percentile) {
        return h.getTotalCount() == 0
                ? "-"
                : String.format(Locale.ROOT, "%.1f", h.getValueAtPercentile(percentile) / 1000.0);
    }

    static String percentiles(Histogram h) {
        return String.format(
                Locale.ROOT,
                "%s | %s | %s | %s | %s",
                ms(h, 50),
                ms(h, 90),
                ms(h, 99),
                ms(h, 99.9),
                h.getTotalCount() == 0 ? "-" : String.format(Locale.ROOT, "%.1f", h.getMaxValue() / 1000.0));
    }

    static String ratio(Histogram parley, Histogram floor, double percentile) {
        if (parley.getTotalCount() == 0 || floor.getTotalCount() == 0) {
            return "-";
        }
        return String.format(
                Locale.ROOT,
                "%.1fx",
                (double) parley.getValueAtPercentile(percentile) / Math.max(1, floor.getValueAtPercentile(percentile)));
    }

    String markdown() {
        return String.join("\n", lines) + "\n";
    }
}
