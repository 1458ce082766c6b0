package dev.parley.testkit;

import org.apache.kafka.common.utils.Exit;

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

    static {
        guardKafkaExitsDuringShutdown();
    }

    static <T extends AutoCloseable> T stopAtExit(T server) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stopWithin(server), "stop-test-server"));
        return server;
    }

    /**
     * Kafka's servers end the process through {@link Exit} on a fault they cannot serve through (a
     * log directory gone, a fatal error in a request thread). While the test JVM runs, that is
     * passed on unchanged. Once it is exiting, every server is being stopped at once by the hooks
     * above, and such a fault is an artefact of that order: a halt then would replace the exit
     * status 0 of a fork whose tests all passed (failsafe: "Error occurred in starting fork"), so it
     * is printed, with where it came from, and the exit goes on.
     */
    private static void guardKafkaExitsDuringShutdown() {
        Exit.setHaltProcedure((status, message) -> {
            if (exiting()) {
                report("halt", status, message);
            } else {
                Runtime.getRuntime().halt(status);
            }
        });
        Exit.setExitProcedure((status, message) -> {
            if (exiting()) {
                // System.exit from a thread while the hooks run would block that thread for good
                report("exit", status, message);
            } else {
                System.exit(status);
            }
        });
    }

    private static boolean exiting() {
        try {
            Thread probe = new Thread(() -> {});
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        } catch (IllegalStateException shutdownInProgress) {
            return true;
        } catch (Throwable cannotTell) {
            return false; // do as Kafka asked
        }
    }

    private static void report(String what, int status, String message) {
        System.err.printf(
                "testkit: Kafka asked to %s(%d) while the test JVM was exiting; the exit goes on: %s%n",
                what, status, message);
        new Throwable("where Kafka asked").printStackTrace();
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
