package dev.parley.bench.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Where the machine's CPU went during a window: per process (the stack's JVM, its children
 * Cassandra and Redis, this load generator) and per thread group of the stack's JVM, from Linux
 * {@code /proc} tick counters. On two shared cores the latency tail follows CPU, so a run needs
 * this split before anything is tuned.
 */
final class CpuAccounting {

    /** Linux reports utime and stime in clock ticks, 100 per second on every mainstream kernel. */
    private static final double TICKS_PER_SECOND = 100.0;

    private final long stackPid;
    private final Map<String, Long> processTicks;
    private final Map<String, Long> threadTicks;
    private final Map<String, Long> cassandraThreadTicks;
    private final long startNanos;

    private CpuAccounting(long stackPid) {
        this.stackPid = stackPid;
        this.processTicks = processes(stackPid);
        this.threadTicks = threadTicks(stackPid);
        this.cassandraThreadTicks = threadTicks(cassandraPid(stackPid));
        this.startNanos = System.nanoTime();
    }

    static CpuAccounting start(long stackPid) {
        return new CpuAccounting(stackPid);
    }

    /** Ends the window: cores used (1.0 = one core busy the whole window) since {@link #start}. */
    Usage finish() {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        return new Usage(
                delta(processTicks, processes(stackPid), seconds),
                groupedSince(threadTicks, stackPid, seconds),
                groupedSince(cassandraThreadTicks, cassandraPid(stackPid), seconds));
    }

    /** Cores used per process and per thread group of the two JVMs. */
    record Usage(
            Map<String, Double> processes, Map<String, Double> stackThreads, Map<String, Double> cassandraThreads) {

        void report(Report report) {
            report.line("| process | cores used |");
            report.line("|---|---|");
            processes.forEach((k, v) -> report.line("| %s | %.2f |", k, v));
            report.line(
                    "| total (of %d) | %.2f |",
                    Runtime.getRuntime().availableProcessors(),
                    processes.values().stream().mapToDouble(Double::doubleValue).sum());
            report.line("");
            report.line("| stack JVM threads | cores used |");
            report.line("|---|---|");
            threadTable(report, stackThreads);
            report.line("| cassandra JVM threads | cores used |");
            report.line("|---|---|");
            threadTable(report, cassandraThreads);
        }
    }

    private static void threadTable(Report report, Map<String, Double> cores) {
        cores.entrySet().stream()
                .filter(e -> e.getValue() >= 0.01)
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> report.line("| %s | %.2f |", e.getKey(), e.getValue()));
        report.line("");
    }

    private static long cassandraPid(long stackPid) {
        return ProcessHandle.of(stackPid).stream()
                .flatMap(ProcessHandle::descendants)
                .filter(p -> isCassandra(p.info().commandLine().orElse("")))
                .mapToLong(ProcessHandle::pid)
                .findFirst()
                .orElse(-1);
    }

    private static boolean isCassandra(String commandLine) {
        return commandLine.toLowerCase(java.util.Locale.ROOT).contains("cassandra");
    }

    private static Map<String, Double> delta(Map<String, Long> before, Map<String, Long> after, double seconds) {
        Map<String, Double> out = new TreeMap<>();
        after.forEach((k, v) -> out.put(k, (v - before.getOrDefault(k, 0L)) / TICKS_PER_SECOND / seconds));
        return out;
    }

    private static Map<String, Long> processes(long stackPid) {
        Map<String, Long> out = new HashMap<>();
        out.put("stack JVM (Kafka, Connect, topologies, edge)", ticks(Path.of("/proc", Long.toString(stackPid))));
        ProcessHandle.of(stackPid).ifPresent(p -> p.descendants().forEach(child -> {
            String cmd = child.info().commandLine().orElse("");
            String name = cmd.contains("redis") ? "redis" : isCassandra(cmd) ? "cassandra JVM" : "other child";
            out.merge(name, ticks(Path.of("/proc", Long.toString(child.pid()))), Long::sum);
        }));
        out.put(
                "load generator",
                ticks(Path.of("/proc", Long.toString(ProcessHandle.current().pid()))));
        return out;
    }

    /** Ticks per thread id: ids are stable, names are not (Cassandra's pooled workers rename themselves per stage). */
    private static Map<String, Long> threadTicks(long pid) {
        Map<String, Long> out = new HashMap<>();
        try (Stream<Path> threads = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            threads.forEach(t -> out.put(t.getFileName().toString(), ticks(t)));
        } catch (IOException e) {
            return out;
        }
        return out;
    }

    /**
     * Cores used since {@code before} by the threads alive now, grouped by their current name with
     * digits dropped (so "kafka-producer-network-thread | x-3" counts once). A thread that ended in
     * the window takes its ticks with it.
     */
    private static Map<String, Double> groupedSince(Map<String, Long> before, long pid, double seconds) {
        Map<String, Double> out = new TreeMap<>();
        try (Stream<Path> threads = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            threads.forEach(t -> {
                try {
                    String name = Files.readString(t.resolve("comm")).strip().replaceAll("[0-9]+", "#");
                    long used = ticks(t) - before.getOrDefault(t.getFileName().toString(), 0L);
                    out.merge(name, used / TICKS_PER_SECOND / seconds, Double::sum);
                } catch (IOException e) {
                    // the thread ended between listing and reading
                }
            });
        } catch (IOException e) {
            return out;
        }
        return out;
    }

    /** utime + stime of a process or thread; 0 once it is gone. */
    private static long ticks(Path procEntry) {
        try {
            String stat = Files.readString(procEntry.resolve("stat"));
            // fields after the parenthesised command name, which may itself hold spaces
            List<String> f = List.of(stat.substring(stat.lastIndexOf(')') + 2).split(" "));
            return Long.parseLong(f.get(11)) + Long.parseLong(f.get(12));
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
