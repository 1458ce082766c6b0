package dev.parley.edge.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.undertow.Handlers;
import io.undertow.Undertow;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The bounded API pool on a real Undertow: full means 503 at once, and health still answers. */
class ApiHandlerIT {

    private final HttpClient client = HttpClient.newHttpClient();

    @Test
    void shouldAnswerUnavailableBeyondTheQueueWhileHealthStillAnswers() throws Exception {
        JsonExchange io = new JsonExchange(new ObjectMapper());
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(1));
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ApiHandler.Endpoint slow = (exchange, user) -> {
            entered.countDown();
            release.await(); // a history scan or a send waiting for its ack
            io.send(exchange, 200, io.json().createObjectNode().put("status", "done"));
        };
        Undertow server = Undertow.builder()
                .addHttpListener(0, "127.0.0.1")
                .setHandler(Handlers.routing()
                        .get("/slow", ApiHandler.open(slow, io, pool))
                        .get(
                                "/healthz",
                                ApiHandler.open(
                                        (e, u) -> io.send(e, 200, io.json().createObjectNode()), io, null)))
                .build();
        server.start();
        try {
            int port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
            CompletableFuture<HttpResponse<String>> running = get(port, "/slow");
            assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<HttpResponse<String>> queued = get(port, "/slow");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (pool.getQueue().isEmpty() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(pool.getQueue())
                    .as("the second request waits in the queue")
                    .hasSize(1);

            HttpResponse<String> refused = get(port, "/slow").join();
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(io.json().readTree(refused.body()).get("code").asText()).isEqualTo("unavailable");
            assertThat(get(port, "/healthz").join().statusCode())
                    .as("health with the pool full")
                    .isEqualTo(200);

            release.countDown();
            assertThat(running.join().statusCode()).isEqualTo(200);
            assertThat(queued.join().statusCode()).isEqualTo(200);
        } finally {
            release.countDown();
            server.stop();
            pool.shutdownNow();
        }
    }

    private CompletableFuture<HttpResponse<String>> get(int port, String path) {
        return client.sendAsync(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
