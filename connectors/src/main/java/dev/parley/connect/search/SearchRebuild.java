package dev.parley.connect.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.schema.SearchIndex;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;

/**
 * Drops the search index and makes the search sink index {@code parley.events.v1} again from its
 * first offset: {@code ./parley search-rebuild}. Through the Connect REST API (KIP-875, any worker
 * of the cluster) and the OpenSearch REST API: stop the connector, delete every index behind the
 * alias, reset the connector's offsets, resume it. The task creates the index at start and reads
 * from the earliest offset, so search fills up again at bulk speed; until then it shows fewer
 * results, never wrong ones (authorization is in each query, not in the index).
 */
public final class SearchRebuild {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String connectUrl;
    private final String searchUrl;
    private final String connector;
    private final String alias;

    public SearchRebuild(String connectUrl, String searchUrl, String connector, String alias) {
        this.connectUrl = strip(connectUrl);
        this.searchUrl = strip(searchUrl);
        this.connector = connector;
        this.alias = alias;
    }

    /** Settings from the environment: PARLEY_CONNECT_URL, PARLEY_SEARCH_URL, PARLEY_SEARCH_CONNECTOR, PARLEY_SEARCH_INDEX. */
    public static void main(String[] args) {
        Map<String, String> env = System.getenv();
        SearchRebuild rebuild = new SearchRebuild(
                env.getOrDefault("PARLEY_CONNECT_URL", "http://127.0.0.1:8083"),
                env.getOrDefault("PARLEY_SEARCH_URL", "http://127.0.0.1:9200"),
                env.getOrDefault("PARLEY_SEARCH_CONNECTOR", "parley-search-sink"),
                env.getOrDefault("PARLEY_SEARCH_INDEX", "parley-messages"));
        try {
            rebuild.run(System.out::println);
        } catch (IOException | InterruptedException | IllegalStateException e) {
            System.err.println("parley: search rebuild failed: " + e.getMessage());
            System.exit(1);
        }
    }

    /** Runs the four steps, reporting each to {@code progress}. */
    public void run(java.util.function.Consumer<String> progress) throws IOException, InterruptedException {
        String c = "/connectors/" + URLEncoder.encode(connector, StandardCharsets.UTF_8);
        expect(send(connectUrl + c + "/stop", "PUT"), 202, 204);
        awaitStopped(c);
        progress.accept("parley: stopped connector " + connector);
        HttpResponse<String> aliased = send(searchUrl + "/_alias/" + alias, "GET");
        if (aliased.statusCode() == 200) {
            Iterator<String> indices = JSON.readTree(aliased.body()).fieldNames();
            while (indices.hasNext()) {
                String index = indices.next();
                expect(send(searchUrl + "/" + index, "DELETE"), 200);
                progress.accept("parley: deleted index " + index);
            }
        } else if (send(searchUrl + "/" + SearchIndex.backingIndex(alias), "DELETE")
                        .statusCode()
                == 200) {
            progress.accept("parley: deleted index " + SearchIndex.backingIndex(alias));
        }
        expect(send(connectUrl + c + "/offsets", "DELETE"), 200);
        progress.accept("parley: reset the offsets of " + connector + ": it reads parley.events.v1 from the start");
        expect(send(connectUrl + c + "/resume", "PUT"), 202, 204);
        progress.accept("parley: resumed " + connector + "; search fills up again as it catches up");
    }

    private void awaitStopped(String path) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
        while (true) {
            JsonNode status =
                    JSON.readTree(send(connectUrl + path + "/status", "GET").body());
            if ("STOPPED".equals(status.path("connector").path("state").asText())) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("connector " + connector + " did not stop within " + STOP_TIMEOUT);
            }
            Thread.sleep(200);
        }
    }

    private HttpResponse<String> send(String url, String method) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(60))
                        .method(method, HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static void expect(HttpResponse<String> response, int... ok) {
        for (int status : ok) {
            if (response.statusCode() == status) {
                return;
            }
        }
        throw new IllegalStateException(response.request().method() + " " + response.uri() + " answered "
                + response.statusCode() + ": " + response.body());
    }

    private static String strip(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
