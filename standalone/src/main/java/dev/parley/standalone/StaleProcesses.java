package dev.parley.standalone;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Stops a child left behind by an earlier run that was killed with {@code kill -9} (a child
 * process outlives such a parent), found through the pid file that child wrote. Only a process
 * whose command line names {@code expectedCommand} is touched, so a reused pid is left alone.
 */
final class StaleProcesses {

    private StaleProcesses() {}

    static void stop(Path pidFile, String expectedCommand) throws IOException, InterruptedException {
        if (!Files.exists(pidFile)) {
            return;
        }
        String text = Files.readString(pidFile).strip();
        Files.deleteIfExists(pidFile);
        long pid;
        try {
            pid = Long.parseLong(text);
        } catch (NumberFormatException e) {
            return;
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        if (process.isEmpty() || !process.get().isAlive()) {
            return;
        }
        String command = process.get().info().commandLine().orElse("");
        if (!command.contains(expectedCommand)) {
            return;
        }
        process.get().destroy();
        try {
            process.get().onExit().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            process.get().destroyForcibly();
        }
    }
}
