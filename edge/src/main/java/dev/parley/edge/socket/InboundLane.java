package dev.parley.edge.socket;

import java.util.concurrent.Executor;

/**
 * The frames of one socket that were read but not yet handled, bounded by {@code ws.max.inbound.queue}:
 * at the bound the socket's reads are suspended, so a client writing faster than its frames are
 * handled fills its own TCP window instead of the edge's heap; reads resume once half have drained
 * (not at every frame, so a flood does not flip the channel on and off per frame).
 */
final class InboundLane {

    private final Executor lane;
    private final int max;
    private final Runnable suspendReads;
    private final Runnable resumeReads;
    private int waiting;
    private boolean suspended;

    InboundLane(Executor lane, int max, Runnable suspendReads, Runnable resumeReads) {
        this.lane = lane;
        this.max = max;
        this.suspendReads = suspendReads;
        this.resumeReads = resumeReads;
    }

    void execute(Runnable frame) {
        synchronized (this) {
            waiting++;
            if (waiting >= max && !suspended) {
                suspended = true;
                suspendReads.run();
            }
        }
        lane.execute(() -> {
            try {
                frame.run();
            } finally {
                handled();
            }
        });
    }

    private synchronized void handled() {
        waiting--;
        if (suspended && waiting <= max / 2) {
            suspended = false;
            resumeReads.run();
        }
    }

    synchronized int waiting() {
        return waiting;
    }
}
