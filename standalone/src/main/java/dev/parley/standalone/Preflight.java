package dev.parley.standalone;

import dev.parley.schema.ConfigSources;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Checks that turn the usual start-up failures into one line the user can act on. */
final class Preflight {

    static final long MIN_FREE_BYTES = 1L << 30;

    private Preflight() {}

    static void check(StandaloneSettings settings) {
        int feature = Runtime.version().feature();
        if (feature < 17 || feature >= 24) {
            throw new StartupException("Java " + feature + " found; Parley's embedded Cassandra needs JDK 17 to 23"
                    + " (set JAVA_HOME to a JDK 17)");
        }
        for (Map.Entry<String, Integer> port : settings.ports().entrySet()) {
            if (!isFree(port.getValue())) {
                throw new StartupException("port " + port.getValue() + " (" + port.getKey() + ") is in use: stop what "
                        + "holds it or set " + ConfigSources.envName(port.getKey()) + " to another port");
            }
        }
        Path data = settings.dataDir();
        try {
            Files.createDirectories(data);
            long free = Files.getFileStore(data).getUsableSpace();
            if (free < MIN_FREE_BYTES) {
                throw new StartupException("only " + free / (1 << 20) + " MiB free under " + data
                        + "; Parley needs at least 1 GiB (set PARLEY_DATA_DIR to a disk with room)");
            }
        } catch (IOException e) {
            throw new StartupException("cannot use data folder " + data + ": " + e.getMessage(), e);
        }
    }

    static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
