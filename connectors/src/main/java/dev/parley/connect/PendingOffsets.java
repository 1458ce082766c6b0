package dev.parley.connect;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Records a sink has taken from the worker but not yet finished, by partition. The worker may
 * commit a partition only up to its oldest unfinished record, so a crash re-reads what was not
 * finished and loses nothing. The push sink's unfinished records are pushes handed to providers
 * (the collapse key shows a re-sent one once on the device); {@link SinkRedelivery}'s are the
 * first record of each partition of a batch that failed and comes again.
 */
public final class PendingOffsets {

    private final Map<TopicPartition, TreeSet<Long>> pending = new HashMap<>();
    private int size;

    public synchronized void add(TopicPartition partition, long offset) {
        if (pending.computeIfAbsent(partition, p -> new TreeSet<>()).add(offset)) {
            size++;
        }
    }

    public synchronized void finish(TopicPartition partition, long offset) {
        TreeSet<Long> offsets = pending.get(partition);
        if (offsets != null && offsets.remove(offset)) {
            size--;
        }
    }

    /** Forgets revoked partitions: their unfinished records will be re-read by the new owner. */
    public synchronized void forget(Collection<TopicPartition> partitions) {
        for (TopicPartition p : partitions) {
            TreeSet<Long> offsets = pending.remove(p);
            if (offsets != null) {
                size -= offsets.size();
            }
        }
    }

    public synchronized int size() {
        return size;
    }

    /** {@code consumed} capped, per partition, at the oldest unfinished offset. */
    public synchronized Map<TopicPartition, OffsetAndMetadata> committable(
            Map<TopicPartition, OffsetAndMetadata> consumed) {
        Map<TopicPartition, OffsetAndMetadata> safe = new HashMap<>();
        consumed.forEach((partition, offset) -> {
            TreeSet<Long> offsets = pending.get(partition);
            if (offsets == null || offsets.isEmpty()) {
                safe.put(partition, offset);
            } else if (offsets.first() < offset.offset()) {
                safe.put(partition, new OffsetAndMetadata(offsets.first()));
            } else {
                safe.put(partition, offset);
            }
        });
        return safe;
    }
}
