package dev.parley.connect.push;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTaskContext;

/**
 * What a Connect worker gives a task, recorded: the dead-letter reports, pause and resume. The
 * task's provider traffic is real; only the worker around it is this stand-in, so a test can ask
 * exactly which offset the task would let the worker commit. The real worker is covered by the
 * standalone end-to-end test.
 */
final class RecordingContext implements SinkTaskContext {

    record Report(SinkRecord record, Throwable error) {}

    final List<Report> deadLetters = new CopyOnWriteArrayList<>();
    final Set<TopicPartition> assignment = new HashSet<>();
    final Set<TopicPartition> paused = new HashSet<>();

    @Override
    public Map<String, String> configs() {
        return new HashMap<>();
    }

    @Override
    public void offset(Map<TopicPartition, Long> offsets) {}

    @Override
    public void offset(TopicPartition tp, long offset) {}

    @Override
    public void timeout(long timeoutMs) {}

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

    @Override
    public org.apache.kafka.common.metrics.PluginMetrics pluginMetrics() {
        return null;
    }

    @Override
    public ErrantRecordReporter errantRecordReporter() {
        return (record, error) -> {
            deadLetters.add(new Report(record, error));
            return CompletableFuture.completedFuture(null);
        };
    }
}
