package dev.parley.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy in front of the test Redis that can play the two ways Redis fails, without touching
 * the Redis other tests share:
 *
 * <ul>
 *   <li>{@link #hang()}: what a SIGSTOPped Redis does. Connections are still accepted (the kernel
 *       completes the handshake) but nothing is answered: bytes already read wait, and clients wait
 *       for their socket timeouts. {@link #resume()} lets the waiting bytes through, as SIGCONT does.
 *   <li>{@link #kill()}: what a killed Redis does. Every connection is reset and new ones are
 *       refused until {@link #restart()} listens on the same port again.
 * </ul>
 */
public final class RedisFaultProxy implements AutoCloseable {

    private final int targetPort;
    private final int port;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final Object gate = new Object();
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile boolean hung;
    private volatile ServerSocket server;

    private RedisFaultProxy(int targetPort) {
        this.targetPort = targetPort;
        this.port = FreePorts.next();
        listen();
    }

    /** A proxy forwarding to the Redis of {@link RedisServerExtension}. */
    public static RedisFaultProxy toTestRedis() {
        return new RedisFaultProxy(RedisServerExtension.port());
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** Connections accepted so far (a client that fails fast opens none). */
    public int accepted() {
        return accepted.get();
    }

    public void hang() {
        hung = true;
    }

    public void resume() {
        synchronized (gate) {
            hung = false;
            gate.notifyAll();
        }
    }

    public void kill() {
        ServerSocket s = server;
        server = null;
        closeQuietly(s);
        for (Socket socket : sockets) {
            try {
                socket.setSoLinger(true, 0); // reset, as the kernel does for a dead process
            } catch (SocketException e) {
                // already closed
            }
            closeQuietly(socket);
        }
        sockets.clear();
    }

    public void restart() {
        resume();
        if (server == null) {
            listen();
        }
    }

    private void listen() {
        try {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            server = s;
            Thread acceptor = new Thread(() -> accept(s), "redis-fault-proxy-" + port);
            acceptor.setDaemon(true);
            acceptor.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void accept(ServerSocket s) {
        while (!s.isClosed()) {
            try {
                Socket client = s.accept();
                accepted.incrementAndGet();
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                sockets.add(client);
                sockets.add(upstream);
                pump(client, upstream);
                pump(upstream, client);
            } catch (IOException e) {
                return; // closed by kill() or close()
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(
                () -> {
                    byte[] buffer = new byte[16 * 1024];
                    try (InputStream in = from.getInputStream();
                            OutputStream out = to.getOutputStream()) {
                        int n;
                        while ((n = in.read(buffer)) >= 0) {
                            awaitNotHung();
                            out.write(buffer, 0, n);
                            out.flush();
                        }
                    } catch (IOException | InterruptedException e) {
                        // the other side closed, or kill(): the peer sees the reset
                    } finally {
                        closeQuietly(from);
                        closeQuietly(to);
                        sockets.remove(from);
                        sockets.remove(to);
                    }
                },
                "redis-fault-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private void awaitNotHung() throws InterruptedException {
        synchronized (gate) {
            while (hung) {
                gate.wait();
            }
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            // closing a socket that is already gone
        }
    }

    @Override
    public void close() {
        resume();
        kill();
    }
}
