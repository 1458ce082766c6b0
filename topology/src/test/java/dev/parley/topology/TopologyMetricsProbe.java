package dev.parley.topology;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Reads the topology's /metrics over HTTP, as Prometheus does. */
final class TopologyMetricsProbe {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private TopologyMetricsProbe() {}

    static String scrape(int port) throws Exception {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new AssertionError("/metrics answered " + response.statusCode());
        }
        return response.body();
    }

    static boolean isClosed(int port) throws Exception {
        try {
            scrape(port);
            return false;
        } catch (ConnectException e) {
            return true;
        }
    }
}
