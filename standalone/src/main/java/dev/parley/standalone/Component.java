package dev.parley.standalone;

/** One part of the embedded default. Started in order, closed in reverse order. */
interface Component extends AutoCloseable {

    /** What the progress line calls it. */
    String name();

    /** Starts and waits until ready; returns where it listens, for the progress line. */
    String start() throws Exception;

    /** Stops; must not throw, so one failure does not keep the rest running. */
    @Override
    void close();
}
