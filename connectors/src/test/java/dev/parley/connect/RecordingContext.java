package dev.parley.connect;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.common.metrics.internals.PluginMetricsImpl;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTaskContext;

/**
 * What a Connect worker gives a task, recorded: the dead-letter reports, backoffs, rewinds, pause
 * and resume. The task's I/O is real or an injected stand-in; only the worker around it is this
 * stand-in, so a test can ask exactly which offset the task would let the worker commit. Real
 * workers run in CassandraSinkIT and the standalone end-to-end test.
 */
public final class RecordingContext implements SinkTaskContext {

    /** {@code thread}: who called the reporter (the worker expects its task thread). */
    public record Report(SinkRecord record, Throwable error, Thread thread) {}

    public final List<Report> deadLetters = new CopyOnWriteArrayList<>();
    public final List<Long> timeouts = new CopyOnWriteArrayList<>();
    public final Set<TopicPartition> assignment = new HashSet<>();
    public final Set<TopicPartition> paused = new HashSet<>();
    /** False: no dead-letter topic configured, so the worker hands the task no reporter. */
    public boolean deadLetterTopic = true;

    @Override
    public Map<String, String> configs() {
        return new HashMap<>();
    }

    /** The offsets the task asked the worker to rewind to, the last ask per partition. */
    public final Map<TopicPartition, Long> rewound = new HashMap<>();

    @Override
    public void offset(Map<TopicPartition, Long> offsets) {
        rewound.putAll(offsets);
    }

    @Override
    public void offset(TopicPartition tp, long offset) {
        rewound.put(tp, offset);
    }

    @Override
    public void timeout(long timeoutMs) {
        timeouts.add(timeoutMs);
    }

    @Override
    public Set<TopicPartition> assignment() {
        return assignment;
    }

    @Override
    public void pause(TopicPartition... partitions) {
        paused.addAll(List.of(partitions));
    }

    @Override
    public void resume(TopicPartition... partitions) {
        paused.removeAll(List.of(partitions));
    }

    @Override
    public void requestCommit() {}

    /** The worker's metrics registry; the task's plugin metrics land here, as in a worker. */
    public final Metrics metrics = new Metrics();

    private final PluginMetrics pluginMetrics =
            new PluginMetricsImpl(metrics, Map.of("connector", "test-connector", "task", "0"));

    @Override
    public PluginMetrics pluginMetrics() {
        return pluginMetrics;
    }

    /** The value of a plugin metric of this task, by name and its own tags. */
    public double pluginMetric(String name, Map<String, String> tags) {
        Map<String, String> all = new HashMap<>(tags);
        all.put("connector", "test-connector");
        all.put("task", "0");
        KafkaMetric metric = metrics.metric(new MetricName(name, "plugins", "", all));
        if (metric == null) {
            throw new AssertionError("no plugin metric " + name + all + " in "
                    + metrics.metrics().keySet());
        }
        return ((Number) metric.metricValue()).doubleValue();
    }

    @Override
    public ErrantRecordReporter errantRecordReporter() {
        if (!deadLetterTopic) {
            return null;
        }
        return (record, error) -> {
            deadLetters.add(new Report(record, error, Thread.currentThread()));
            return CompletableFuture.completedFuture(null);
        };
    }
}
