package dev.parley.edge.presence;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Token buckets in this process, the fallback of the Redis limiters while Redis is down: the same
 * rate and burst, but per edge (a user with sockets on two edges gets twice the budget for as long
 * as the outage lasts). At most {@code maxEntries} keys are kept, least recently used dropped first;
 * a bucket idle long enough to be full again is dropped too, since a missing bucket is a full one.
 */
final class LocalTokenBuckets {

    private final double perMilli;
    private final int burst;
    private final long refillMillis;
    private final LinkedHashMap<String, Bucket> buckets;

    LocalTokenBuckets(double perSecond, int burst, int maxEntries) {
        this.perMilli = perSecond / 1000;
        this.burst = burst;
        this.refillMillis = (long) Math.ceil(burst / perMilli);
        this.buckets = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Bucket> eldest) {
                return size() > maxEntries;
            }
        };
    }

    synchronized boolean tryAcquire(String key, long nowMillis) {
        dropIdle(nowMillis);
        Bucket b = buckets.computeIfAbsent(key, k -> new Bucket(burst, nowMillis));
        if (nowMillis > b.at) {
            b.tokens = Math.min(burst, b.tokens + (nowMillis - b.at) * perMilli);
            b.at = nowMillis;
        }
        if (b.tokens >= 1) {
            b.tokens -= 1;
            return true;
        }
        return false;
    }

    synchronized int size() {
        return buckets.size();
    }

    /** Least recently used first: stop at the first bucket that is still refilling. */
    private void dropIdle(long nowMillis) {
        Iterator<Bucket> it = buckets.values().iterator();
        while (it.hasNext() && nowMillis - it.next().at >= refillMillis) {
            it.remove();
        }
    }

    private static final class Bucket {
        double tokens;
        long at;

        Bucket(double tokens, long at) {
            this.tokens = tokens;
            this.at = at;
        }
    }
}
