package dev.parley.connect.push;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A push service endpoint (RFC 8030 section 5): records each request's headers and encrypted body
 * and answers 201 Created, or the status scripted for a subscription (410 Gone when it expired).
 */
final class FakeWebPushService implements AutoCloseable {

    record Received(String path, Map<String, String> headers, byte[] body) {}

    private final HttpServer server;
    private final Map<String, Integer> statusByPath = new ConcurrentHashMap<>();
    final BlockingQueue<Received> received = new LinkedBlockingQueue<>();

    FakeWebPushService() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/push/", this::handle);
        server.start();
    }

    String origin() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    String endpoint(String id) {
        return origin() + "/push/" + id;
    }

    void answer(String id, int status) {
        statusByPath.put("/push/" + id, status);
    }

    private void handle(HttpExchange ex) throws IOException {
        Map<String, String> headers = new ConcurrentHashMap<>();
        ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), String.join(",", v)));
        String path = ex.getRequestURI().getPath();
        received.add(new Received(path, headers, ex.getRequestBody().readAllBytes()));
        int status = statusByPath.getOrDefault(path, 201);
        ex.sendResponseHeaders(status, -1);
        ex.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
