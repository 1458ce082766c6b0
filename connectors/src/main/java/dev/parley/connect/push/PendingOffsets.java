package dev.parley.connect.push;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The records handed to providers and not yet finished (sent, dead-lettered or dropped), by
 * partition. The worker may commit a partition only up to its oldest unfinished record: a crash
 * then re-sends what was in flight (the collapse key shows it once on the device) and loses
 * nothing.
 */
final class PendingOffsets {

    private final Map<TopicPartition, TreeSet<Long>> pending = new HashMap<>();
    private int size;

    synchronized void add(TopicPartition partition, long offset) {
        if (pending.computeIfAbsent(partition, p -> new TreeSet<>()).add(offset)) {
            size++;
        }
    }

    synchronized void finish(TopicPartition partition, long offset) {
        TreeSet<Long> offsets = pending.get(partition);
        if (offsets != null && offsets.remove(offset)) {
            size--;
        }
    }

    /** Forgets revoked partitions: their unfinished records will be re-read by the new owner. */
    synchronized void forget(Collection<TopicPartition> partitions) {
        for (TopicPartition p : partitions) {
            TreeSet<Long> offsets = pending.remove(p);
            if (offsets != null) {
                size -= offsets.size();
            }
        }
    }

    synchronized int size() {
        return size;
    }

    /** {@code consumed} capped, per partition, at the oldest unfinished offset. */
    synchronized Map<TopicPartition, OffsetAndMetadata> committable(Map<TopicPartition, OffsetAndMetadata> consumed) {
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
