package dev.parley.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Loopback ports nobody is listening on, for servers the tests start.
 *
 * <p>They come from below the kernel's ephemeral range (Linux: 32768-60999). A port the kernel
 * hands out for port 0 lies in that range, and any outgoing connection may take it between the pick
 * and the server's bind; a build opens tens of thousands of them (seen in CI: a stack's Connect
 * metrics endpoint failing to bind its port). Each JVM starts at a random point of the range so two
 * forks rarely try the same port, and a port that cannot be bound now is skipped.
 */
public final class FreePorts {

    private static final int FIRST = 20_000;
    private static final int COUNT = 12_000; // 20,000-31,999: a Redis Cluster bus port (+10,000) stays valid

    private static final AtomicInteger NEXT =
            new AtomicInteger(ThreadLocalRandom.current().nextInt(COUNT));

    private FreePorts() {}

    public static int next() {
        IOException last = null;
        for (int tried = 0; tried < COUNT; tried++) {
            int port = FIRST + Math.floorMod(NEXT.getAndIncrement(), COUNT);
            try (ServerSocket socket = new ServerSocket()) {
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
                return port;
            } catch (IOException taken) {
                last = taken;
            }
        }
        throw new UncheckedIOException("no free port in " + FIRST + "-" + (FIRST + COUNT - 1), last);
    }
}
