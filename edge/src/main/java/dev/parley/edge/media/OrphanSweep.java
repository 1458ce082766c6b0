package dev.parley.edge.media;

import dev.parley.schema.RedisCircuitBreaker;
import dev.parley.schema.RedisKeys;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;

/**
 * Deletes media no message referenced within {@code media.orphan.ttl.seconds} of its upload (DESIGN
 * 7.1 lifecycle): the object, its thumbnail, its row and its cached descriptor. Each run reads the
 * {@code media_unreferenced} partitions of the days from {@value #LOOKBACK_DAYS} days before the
 * cut-off to the cut-off, at most {@code media.sweep.batch} entries in all, so a run is bounded
 * however many uploads wait; what is left waits for the next run. An entry whose media was
 * referenced is just forgotten. Every edge sweeps; deletes are idempotent, so two edges sweeping
 * the same entry do no harm.
 *
 * <p>The same run releases media whose message was deleted or expired: the Cassandra sink writes a
 * {@code media_releases} entry (due at the delete, or at a disappearing message's {@code expires_at})
 * before it drops the message's reference row; entries due by now, of the last {@value
 * #LOOKBACK_DAYS} days, go through {@link #deleteUnlessReferenced(String)} within the same budget, so
 * a media another message still references stays. An entry is forgotten only after that, so a crash
 * or a store outage leaves it for the next run; deletes being idempotent, a second run is harmless.
 */
public final class OrphanSweep implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(OrphanSweep.class);
    static final int LOOKBACK_DAYS = 30;

    /** How long a release entry of still-referenced media is retried before it is dropped. */
    static final Duration RELEASE_GRACE = Duration.ofHours(1);

    private final MediaLibrary library;
    private final UnifiedJedis redis;
    private final RedisCircuitBreaker breaker;
    private final RedisKeys keys;
    private final Duration ttl;
    private final int batch;
    private final Clock clock;

    public OrphanSweep(
            MediaLibrary library,
            UnifiedJedis redis,
            RedisCircuitBreaker breaker,
            RedisKeys keys,
            Duration ttl,
            int batch,
            Clock clock) {
        this.library = library;
        this.redis = redis;
        this.breaker = breaker;
        this.keys = keys;
        this.ttl = ttl;
        this.batch = batch;
        this.clock = clock;
    }

    @Override
    public void run() {
        try {
            sweep();
        } catch (RuntimeException e) {
            // Cassandra or the store is down: the entries stay and the next run tries again
            log.warn("orphan media sweep stopped early: {}", e.toString());
        }
    }

    /** One bounded run; returns how many media it deleted. */
    public int sweep() {
        Instant cutoff = clock.instant().minus(ttl);
        int budget = batch;
        int deleted = 0;
        for (int back = LOOKBACK_DAYS; back >= 0 && budget > 0; back--) {
            String day = MediaCatalog.DAY.format(cutoff.minus(Duration.ofDays(back)));
            List<MediaCatalog.Pending> pending = library.catalog().unreferenced(day, cutoff, budget);
            budget -= pending.size();
            for (MediaCatalog.Pending p : pending) {
                if (deleteUnlessReferenced(p.mediaId())) {
                    deleted++;
                }
                library.catalog().forget(p);
            }
        }
        Instant now = clock.instant();
        for (int back = LOOKBACK_DAYS; back >= 0 && budget > 0; back--) {
            String day = MediaCatalog.DAY.format(now.minus(Duration.ofDays(back)));
            List<MediaCatalog.Release> due = library.catalog().releases(day, now, budget);
            budget -= due.size();
            for (MediaCatalog.Release r : due) {
                if (library.catalog().isReferenced(r.mediaId()) && r.dueAt().isAfter(now.minus(RELEASE_GRACE))) {
                    // the released message's own use may still be there: its TTL counts from the
                    // sink's write, which lags the event, and a delete drops the use just after
                    // writing this entry. Kept, so a later run retries; a use still there after the
                    // grace is another message's, and that message has a release entry of its own
                    continue;
                }
                // forgotten only once done: a crash before leaves the entry for the next run
                if (deleteUnlessReferenced(r.mediaId())) {
                    deleted++;
                }
                library.catalog().forget(r);
            }
        }
        return deleted;
    }

    /**
     * Deletes the media unless a message references it; true when it was deleted. The object and
     * thumbnail go before the row, so a failure in between leaves the row (and the entry that led
     * here) for the next run, never an object no row leads to.
     */
    public boolean deleteUnlessReferenced(String mediaId) {
        if (library.catalog().isReferenced(mediaId)) {
            return false;
        }
        Optional<MediaRecord> record = library.catalog().find(mediaId);
        // the cached descriptor first: a send after this point finds nothing to attach
        try {
            breaker.run(() -> redis.del(keys.mediaDescriptor(mediaId)));
        } catch (RuntimeException e) {
            // the descriptor expires on its own; a send attaching it meanwhile names a gone object (404 on read)
        }
        record.ifPresent(library::deleteObjects);
        library.catalog().delete(mediaId);
        return record.isPresent();
    }
}
