package dev.parley.bench.e2e;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import dev.parley.schema.CassandraSessions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Scenario (e): how long after its send a message is readable in Cassandra, under load. A probe
 * conversation is part of the load; while one of its messages is not yet readable, a poller reads
 * its {@code last_seq} every {@link #POLL_MS} ms (the resolution). When it reaches S, every probe
 * message up to S is readable. Polling only while something is outstanding keeps the probe's own
 * reads from loading the machine it measures (polling every 2 ms all the time cost Cassandra 0.3 of
 * a core here, BENCHMARKS.md).
 */
final class SinkLagProbe implements AutoCloseable {

    static final long POLL_MS = 5;

    final Histogram lagMicros = new ConcurrentHistogram(3_600_000_000L, 3);
    final Map<String, Long> seqByClientId = new ConcurrentHashMap<>();
    private final Map<String, Long> intendedByClientId = new ConcurrentHashMap<>();
    private final ConcurrentSkipListMap<Long, Long> intendedBySeq = new ConcurrentSkipListMap<>();
    private final CqlSession session;
    private final PreparedStatement lastSeq;
    private final String conversationId;
    private final Thread poller;
    private volatile boolean running = true;

    SinkLagProbe(String contactPoint, String conversationId) {
        this.conversationId = conversationId;
        this.session = CassandraSessions.open(List.of(contactPoint), "datacenter1", "parley", Duration.ofSeconds(5));
        this.lastSeq = session.prepare("SELECT last_seq FROM conversations WHERE conversation_id = ?");
        this.poller = new Thread(this::poll, "sink-lag-poller");
        poller.setDaemon(true);
        poller.start();
    }

    void sent(String clientId, long intendedNanos) {
        intendedByClientId.put(clientId, intendedNanos);
    }

    private void poll() {
        while (running) {
            // move acknowledged sends (seq now known) into the seq-ordered map
            for (var e : seqByClientId.entrySet()) {
                Long intended = intendedByClientId.remove(e.getKey());
                if (intended != null) {
                    intendedBySeq.put(e.getValue(), intended);
                    seqByClientId.remove(e.getKey());
                }
            }
            try {
                if (intendedByClientId.isEmpty() && intendedBySeq.isEmpty()) {
                    Thread.sleep(POLL_MS);
                    continue;
                }
                Row row = session.execute(lastSeq.bind(conversationId)).one();
                if (row != null && !row.isNull(0)) {
                    long now = System.nanoTime();
                    var readable = intendedBySeq.headMap(row.getLong(0), true);
                    for (long intended : readable.values()) {
                        lagMicros.recordValue(Math.max(0, (now - intended) / 1000));
                    }
                    readable.clear();
                }
                Thread.sleep(POLL_MS);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // a slow read under load is a data point, not a failure of the probe
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        poller.join(5_000);
        session.close();
    }
}
