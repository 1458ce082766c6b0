package dev.parley.cassandra;

import java.io.IOException;
import java.io.InputStream;

/**
 * Runs {@code CassandraDaemon} in a child JVM that dies with its parent. The parent keeps the
 * child's stdin open and never writes to it; when the parent exits for any reason, even {@code
 * kill -9}, the OS closes the pipe, the read below returns end of stream, and the node halts. The
 * commit log makes the halt safe: a restart replays it and loses nothing.
 */
public final class ParentWatchingLauncher {

    private ParentWatchingLauncher() {}

    public static void main(String[] args) throws Exception {
        Thread watcher = new Thread(ParentWatchingLauncher::haltWhenParentDies, "parent-watcher");
        watcher.setDaemon(true);
        watcher.start();
        Class.forName("org.apache.cassandra.service.CassandraDaemon")
                .getMethod("main", String[].class)
                .invoke(null, (Object) args);
    }

    private static void haltWhenParentDies() {
        InputStream in = System.in;
        try {
            while (in.read() != -1) {
                // the parent never writes; anything read is ignored
            }
        } catch (IOException e) {
            // a broken pipe means the same as end of stream: the parent is gone
        }
        Runtime.getRuntime().halt(0);
    }
}
