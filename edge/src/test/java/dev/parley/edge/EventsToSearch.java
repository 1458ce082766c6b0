package dev.parley.edge;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.schema.ConversationEvent;
import dev.parley.schema.SearchIndex;
import dev.parley.schema.search.DocumentAction;
import dev.parley.schema.search.SearchDocuments;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The search sink's indexing without a Connect worker: reads committed events and applies to the
 * index what the sink applies, {@link SearchDocuments}' action for each event, into the index the
 * sink creates ({@link SearchIndex#definition} behind its alias). Only the transport differs: one
 * refreshed bulk request per poll instead of the sink's batched client. The edge's build does not
 * wait for the connectors' (README, "Layout").
 */
final class EventsToSearch implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newHttpClient();
    private final String url;
    private final String alias;
    private final CommittedEvents events;

    EventsToSearch(String bootstrap, String url, String alias) {
        this.url = url;
        this.alias = alias;
        createIndex();
        this.events = new CommittedEvents(bootstrap, "events-to-search", this::index);
    }

    private void createIndex() {
        try {
            if (send("HEAD", "/_alias/" + alias, null).statusCode() == 200) {
                return;
            }
            ObjectNode body = (ObjectNode) JSON.readTree(SearchIndex.definition(1, 0));
            body.putObject("aliases").putObject(alias).put("is_write_index", true);
            HttpResponse<String> r = send("PUT", "/" + SearchIndex.backingIndex(alias), JSON.writeValueAsString(body));
            if (r.statusCode() != 200 && !r.body().contains("resource_already_exists_exception")) {
                throw new IllegalStateException("creating the index: " + r.statusCode() + " " + r.body());
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void index(List<ConversationEvent> batch) throws IOException, InterruptedException {
        StringBuilder bulk = new StringBuilder();
        for (ConversationEvent e : batch) {
            DocumentAction action = SearchDocuments.actionFor(e);
            if (action != null) {
                bulk.append(lines(action));
            }
        }
        if (!bulk.isEmpty()) {
            refused(send("POST", "/_bulk?refresh=true", bulk.toString()));
        }
    }

    /** As the sink: an edit or delete of a missing document counts as done (404); anything else refused fails. */
    private static void refused(HttpResponse<String> r) throws IOException {
        if (r.statusCode() != 200) {
            throw new IllegalStateException("bulk refused: " + r.statusCode() + " " + r.body());
        }
        for (var item : JSON.readTree(r.body()).path("items")) {
            int status = item.elements().next().path("status").asInt();
            if (status >= 300 && status != 404) {
                throw new IllegalStateException("document refused: " + item);
            }
        }
    }

    /** The bulk lines of one action, as the sink's document store writes them. */
    private String lines(DocumentAction action) throws IOException {
        ObjectNode meta = JSON.createObjectNode();
        meta.putObject(action.op().name().toLowerCase(Locale.ROOT))
                .put("_index", alias)
                .put("_id", action.id())
                .put("routing", action.routing());
        StringBuilder out = new StringBuilder(JSON.writeValueAsString(meta)).append('\n');
        if (action.op() == DocumentAction.Op.INDEX) {
            out.append(JSON.writeValueAsString(action.source())).append('\n');
        } else if (action.op() == DocumentAction.Op.UPDATE) {
            out.append(JSON.writeValueAsString(Map.of("doc", action.source()))).append('\n');
        }
        return out.toString();
    }

    private HttpResponse<String> send(String method, String path, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + path))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", path.contains("_bulk") ? "application/x-ndjson" : "application/json")
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() throws InterruptedException {
        events.close();
    }
}
