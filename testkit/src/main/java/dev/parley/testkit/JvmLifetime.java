package dev.parley.testkit;

/**
 * Servers the tests of one JVM share: started by the first test class that needs one, stopped when
 * the JVM exits. Not JUnit's root store: when a build runs tests in more than one fork, surefire
 * hands each fork one class at a time, each in its own launcher session, and the root store closes
 * with that class; the next class of the fork would find the server stopped.
 */
final class JvmLifetime {

    private JvmLifetime() {}

    /** Bounds the wait for each server at exit; failsafe kills a fork that does not exit in time. */
    private static final long STOP_TIMEOUT_MS = 15_000;

    static <T extends AutoCloseable> T stopAtExit(T server) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stopWithin(server), "stop-test-server"));
        return server;
    }

    private static void stopWithin(AutoCloseable server) {
        Thread stopping = new Thread(
                () -> {
                    try {
                        server.close();
                    } catch (Exception e) {
                        // the JVM is exiting; a child process dies with it anyway (it watches its parent)
                    }
                },
                "stopping-test-server");
        stopping.setDaemon(true);
        stopping.start();
        try {
            stopping.join(STOP_TIMEOUT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
