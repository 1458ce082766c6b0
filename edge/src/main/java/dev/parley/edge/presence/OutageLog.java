package dev.parley.edge.presence;

import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;

/**
 * One WARN line when a Redis caller starts falling back and one INFO line when it stops, instead of
 * a line per command for as long as an outage lasts.
 */
final class OutageLog {

    private final Logger log;
    private final String what;
    private final AtomicBoolean down = new AtomicBoolean();

    OutageLog(Logger log, String what) {
        this.log = log;
        this.what = what;
    }

    void failed(RuntimeException e) {
        if (down.compareAndSet(false, true)) {
            log.warn("{}: {}", what, e.toString());
        }
    }

    void over() {
        if (down.get() && down.compareAndSet(true, false)) {
            log.info("{}: over, Redis answers again", what);
        }
    }
}
