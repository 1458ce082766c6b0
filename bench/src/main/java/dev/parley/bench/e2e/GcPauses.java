package dev.parley.bench.e2e;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The stack JVM's stop-the-world pauses during a window, from its {@code -Xlog:gc} file: every
 * thread of the broker, the topologies and the edge stops in one, so a pause adds to the latency of
 * every message in flight, and the window's pauses say how much of a tail is GC. G1 and Shenandoah
 * log their pauses at {@code -Xlog:gc}; ZGC logs only its cycles there, so it reads as none.
 */
final class GcPauses {

    // [12.345s][info][gc] GC(17) Pause Young (Normal) (G1 Evacuation Pause) 300M->120M(1500M) 12.345ms
    // (concurrent phases, "Concurrent Mark Cycle 34.8ms", run beside the application: not pauses)
    private static final Pattern PAUSE = Pattern.compile("\\] GC\\(\\d+\\) Pause .* (\\d+\\.\\d+)ms$");

    private final Path log;
    private final long from;

    private GcPauses(Path log, long from) {
        this.log = log;
        this.from = from;
    }

    /** Starts a window at the log's current end. */
    static GcPauses start(Path log) throws IOException {
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            return new GcPauses(log, file.length());
        }
    }

    /** This JVM's (the load generator's) collections: count and milliseconds, summed over collectors. */
    static long[] ownCollections() {
        long count = 0;
        long millis = 0;
        for (var gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
            count += Math.max(0, gc.getCollectionCount());
            millis += Math.max(0, gc.getCollectionTime());
        }
        return new long[] {count, millis};
    }

    /** The pauses since {@link #start}, as one report sentence. */
    String finish(double seconds) throws IOException {
        List<Double> pauses = new ArrayList<>();
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            // (-Xlog:gc rotates at 20 MB: a window of rotation reads as empty, not negative)
            byte[] tail = new byte[(int) Math.max(0, Math.min(file.length() - from, 16 << 20))];
            file.seek(from);
            file.readFully(tail);
            for (String line : new String(tail, StandardCharsets.UTF_8).split("\n")) {
                Matcher m = PAUSE.matcher(line.strip());
                if (m.find()) {
                    pauses.add(Double.parseDouble(m.group(1)));
                }
            }
        }
        pauses.sort(null);
        double total = pauses.stream().mapToDouble(Double::doubleValue).sum();
        return String.format(
                Locale.ROOT,
                "%d pauses (%.1f/s), %.0f ms in all (%.2f%% of the window), median (upper) %.1f ms, longest %.1f ms",
                pauses.size(),
                pauses.size() / seconds,
                total,
                100 * total / (seconds * 1000),
                pauses.isEmpty() ? 0 : pauses.get(pauses.size() / 2),
                pauses.isEmpty() ? 0 : pauses.get(pauses.size() - 1));
    }
}
