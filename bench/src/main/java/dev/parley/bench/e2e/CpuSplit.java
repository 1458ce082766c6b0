package dev.parley.bench.e2e;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CPU of the stack's JVM split by the component a thread works for (broker, SignalTopology,
 * ConversationTopology with NotificationTopology, edge, Connect and its sinks, JVM), from the full thread names and CPU
 * times of {@code jcmd Thread.print} at both ends of a window. {@code /proc} only keeps 15
 * characters of a name, too few to tell a topology's producer thread from the edge's.
 */
final class CpuSplit {

    /** Which component a thread name belongs to, first match wins. */
    private static final List<Map.Entry<String, Pattern>> ROLES = List.of(
            // SignalTopology's application id extends ConversationTopology's: tested first
            Map.entry("topology: signals", Pattern.compile("parley-conversations-signals")),
            Map.entry("topology", Pattern.compile("parley-conversations|parley-notifications|StreamThread")),
            Map.entry("edge", Pattern.compile("parley-edge|parley-delivery|XNIO|producer-\\d+$|lettuce|s3-node")),
            Map.entry("connect + sinks", Pattern.compile("connect|task-thread|s\\d+-io|cassandra-sink|search")),
            Map.entry("JVM (GC, JIT)", Pattern.compile("GC|G1|Compiler|VM Thread|VM Periodic")),
            Map.entry(
                    "broker",
                    Pattern.compile("data-plane|kafka|group-coordinator|AddPartitionsToTxn|TxnMarker|Expiration"
                            + "|controller|raft|quorum|broker|transaction|LogDir|ReplicaFetcher")));

    private static final Pattern THREAD = Pattern.compile("^\"(.*)\" .*cpu=([0-9.]+)ms");

    private final StackUnderTest stack;
    private final Map<String, Double> before;
    private final long startNanos;

    private CpuSplit(StackUnderTest stack) throws IOException, InterruptedException {
        this.stack = stack;
        this.before = cpuMillis(stack);
        this.startNanos = System.nanoTime();
    }

    static CpuSplit start(StackUnderTest stack) {
        try {
            return new CpuSplit(stack);
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Cores used per component since {@link #start} (1.0 = one core busy all the window). */
    Map<String, Double> finish() {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        Map<String, Double> after;
        try {
            after = cpuMillis(stack);
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
        Map<String, Double> out = new LinkedHashMap<>();
        ROLES.forEach(r -> out.put(r.getKey(), 0.0));
        out.put("other", 0.0);
        after.forEach((name, ms) -> {
            double used = (ms - before.getOrDefault(name, 0.0)) / 1000 / seconds;
            out.merge(role(name.substring(0, name.lastIndexOf(' '))), used, Double::sum);
        });
        return out;
    }

    static String role(String threadName) {
        for (Map.Entry<String, Pattern> r : ROLES) {
            if (r.getValue().matcher(threadName).find()) {
                return r.getKey();
            }
        }
        return "other";
    }

    /** CPU ms per thread name (names made unique by the thread's id). */
    private static Map<String, Double> cpuMillis(StackUnderTest stack) throws IOException, InterruptedException {
        Map<String, Double> out = new TreeMap<>();
        for (String line : stack.jcmd("Thread.print").split("\n")) {
            Matcher m = THREAD.matcher(line);
            if (m.find()) {
                String id = line.replaceAll("^\".*\" (#\\d+)?.*$", "$1");
                out.merge(m.group(1) + " " + id, Double.parseDouble(m.group(2)), Double::sum);
            }
        }
        return out;
    }
}
