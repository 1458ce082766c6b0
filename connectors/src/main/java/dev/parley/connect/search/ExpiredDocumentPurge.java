package dev.parley.connect.search;

import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Physically deletes the documents of disappearing messages past their {@code expires_at} (every
 * search already leaves them out, so this is storage, not visibility): one {@code _delete_by_query}
 * of at most {@code purge.max.docs} documents every {@code purge.interval.ms}, on a thread of its
 * own so indexing never waits for it. A run that hit the bound runs again after {@code
 * retry.backoff.ms} (a backlog drains in bounded steps); a failed run (OpenSearch down, 429, a
 * timeout) is retried after a backoff doubling from {@code retry.backoff.ms} up to the interval,
 * logged at WARN once per streak of failures, never at ERROR. Deletes by query are idempotent, so a
 * run cut off midway (a crash, a timeout while the server goes on) does no harm: the next one
 * deletes what is left. Only the connector's first task purges (the others get an interval of 0).
 */
final class ExpiredDocumentPurge implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ExpiredDocumentPurge.class);

    private final DocumentStore store;
    private final Clock clock;
    private final long intervalMillis;
    private final long backoffMillis;
    private final int maxDocs;
    private final ScheduledExecutorService thread;
    private int failures;

    ExpiredDocumentPurge(DocumentStore store, Clock clock, long intervalMillis, long backoffMillis, int maxDocs) {
        this.store = store;
        this.clock = clock;
        this.intervalMillis = intervalMillis;
        this.backoffMillis = backoffMillis;
        this.maxDocs = maxDocs;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "search-purge");
            t.setDaemon(true);
            return t;
        });
    }

    /** Schedules the first run one interval from now (a restarting task does not purge at once). */
    void start() {
        schedule(intervalMillis);
    }

    private void schedule(long delayMillis) {
        if (!thread.isShutdown()) {
            thread.schedule(() -> schedule(runOnce()), delayMillis, TimeUnit.MILLISECONDS);
        }
    }

    /** One bounded run; returns the delay until the next. */
    long runOnce() {
        try {
            long deleted = store.deleteExpired(clock.millis(), maxDocs);
            if (failures > 0) {
                log.info("search purge works again after {} failed runs", failures);
            }
            failures = 0;
            log.debug("search purge deleted {} expired documents", deleted);
            return deleted >= maxDocs ? backoffMillis : intervalMillis;
        } catch (Exception e) { // IOException from the store, or a runtime failure of the client
            failures++;
            long delay = Math.min(intervalMillis, backoffMillis << Math.min(failures - 1, 30));
            if (failures == 1) {
                log.warn("search purge of expired documents failed, retried in {} ms: {}", delay, e.toString());
            } else {
                log.debug("search purge failed again ({} in a row): {}", failures, e.toString());
            }
            return delay;
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
