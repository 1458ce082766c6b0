package dev.parley.edge.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.DriverTimeoutException;
import com.datastax.oss.driver.api.core.NoNodeAvailableException;
import com.datastax.oss.driver.api.core.servererrors.InvalidQueryException;
import com.datastax.oss.driver.api.core.servererrors.UnavailableException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.testkit.ErrorLog;
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
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The API handler on a real Undertow: a full pool means 503 at once while health still answers; a
 * storage outage is 503 with Retry-After, a bug 500.
 */
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

    @Test
    void shouldAnswerAStorageOutageAsUnavailableAndABugAsInternal() throws Exception {
        JsonExchange io = new JsonExchange(new ObjectMapper());
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(8));
        // what a history read meets with the node down, with too few replicas for its quorum, and
        // a statement Cassandra refuses (a bug in the edge, not an outage)
        ApiHandler.Endpoint nodeDown = (exchange, user) -> {
            throw new NoNodeAvailableException();
        };
        ApiHandler.Endpoint noQuorum = (exchange, user) -> {
            throw new UnavailableException(null, DefaultConsistencyLevel.LOCAL_QUORUM, 2, 1);
        };
        ApiHandler.Endpoint timedOut = (exchange, user) -> {
            throw new CompletionException(new DriverTimeoutException("Query timed out after PT10S"));
        };
        ApiHandler.Endpoint invalid = (exchange, user) -> {
            throw new InvalidQueryException(null, "Undefined column name x");
        };
        Undertow server = Undertow.builder()
                .addHttpListener(0, "127.0.0.1")
                .setHandler(Handlers.routing()
                        .get("/down", ApiHandler.open(nodeDown, io, pool))
                        .get("/quorum", ApiHandler.open(noQuorum, io, pool))
                        .get("/timeout", ApiHandler.open(timedOut, io, pool))
                        .get("/invalid", ApiHandler.open(invalid, io, pool)))
                .build();
        server.start();
        ErrorLog log = ErrorLog.attach();
        try {
            int port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
            for (String path : new String[] {"/down", "/quorum", "/timeout"}) {
                HttpResponse<String> outage = get(port, path).join();

                assertThat(outage.statusCode()).as(path).isEqualTo(503);
                assertThat(outage.headers().firstValue("Retry-After")).as(path).hasValue("1");
                assertThat(io.json().readTree(outage.body()).get("code").asText())
                        .as(path)
                        .isEqualTo("unavailable");
                assertThat(outage.body()).as("no driver detail for the client").doesNotContain("Exception");
            }
            log.assertNoEdgeErrors();

            HttpResponse<String> bug = get(port, "/invalid").join();
            assertThat(bug.statusCode()).isEqualTo(500);
            assertThat(bug.headers().firstValue("Retry-After")).isEmpty();
            assertThat(io.json().readTree(bug.body()).get("code").asText()).isEqualTo("internal");
        } finally {
            log.detach();
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
