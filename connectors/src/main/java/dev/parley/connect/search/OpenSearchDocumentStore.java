package dev.parley.connect.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.schema.SearchIndex;
import dev.parley.schema.search.DocumentAction;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.util.Timeout;
import org.opensearch.client.json.jackson.JacksonJsonpMapper;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch.generic.Body;
import org.opensearch.client.opensearch.generic.OpenSearchGenericClient;
import org.opensearch.client.opensearch.generic.Requests;
import org.opensearch.client.opensearch.generic.Response;
import org.opensearch.client.transport.httpclient5.ApacheHttpClient5Transport;
import org.opensearch.client.transport.httpclient5.ApacheHttpClient5TransportBuilder;

/**
 * Bulk writes over the OpenSearch Java client's generic API: the request bodies are built here
 * with Jackson (the NDJSON of {@code _bulk}), so what goes over the wire is exactly what this class
 * says. Each bulk item is sorted by its status: 2xx (and 404 on a delete) done; 429 and 5xx worth a
 * retry; anything else (400 mapper_parsing_exception, 413) refused with the server's reason.
 *
 * <p>A write is split by document id into up to {@code lanes} lanes sent in parallel: OpenSearch
 * runs one bulk request on one write thread, so a single request at a time leaves every other core
 * of the node idle (measured: 7-9k docs/s with one request in flight, 12-14k with two, on 2
 * cores). Every action on one document falls in the same lane, in batch order, so an edit or a
 * delete never overtakes the message it changes; documents of different lanes are independent.
 * {@link #write} returns only when every lane is answered, so nothing is still in flight when the
 * task reports a batch done or asks for its redelivery.
 */
final class OpenSearchDocumentStore implements DocumentStore {

    private final ObjectMapper json = new ObjectMapper();
    private final ApacheHttpClient5Transport transport;
    private final OpenSearchGenericClient client;
    private final String alias;
    private final int shards;
    private final int replicas;
    private final int maxActions;
    private final int maxBytes;
    private final int lanes;
    /** Sends lanes 1..n-1 (the calling thread sends lane 0); null with a single lane. */
    private final ExecutorService senders;

    OpenSearchDocumentStore(
            List<String> urls, Duration timeout, String alias, int shards, int replicas, int maxActions, int maxBytes) {
        this(urls, timeout, alias, shards, replicas, maxActions, maxBytes, 1);
    }

    OpenSearchDocumentStore(
            List<String> urls,
            Duration timeout,
            String alias,
            int shards,
            int replicas,
            int maxActions,
            int maxBytes,
            int lanes) {
        this.transport = transport(urls, timeout);
        this.client = new OpenSearchClient(transport).generic();
        this.alias = alias;
        this.shards = shards;
        this.replicas = replicas;
        this.maxActions = maxActions;
        this.maxBytes = maxBytes;
        this.lanes = lanes;
        AtomicInteger threads = new AtomicInteger();
        this.senders = lanes <= 1
                ? null
                : Executors.newFixedThreadPool(lanes - 1, r -> {
                    Thread t = new Thread(r, "opensearch-bulk-" + alias + "-" + threads.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
    }

    static ApacheHttpClient5Transport transport(List<String> urls, Duration timeout) {
        HttpHost[] hosts = urls.stream()
                .map(URI::create)
                .map(u -> new HttpHost(u.getScheme(), u.getHost(), u.getPort()))
                .toArray(HttpHost[]::new);
        Timeout t = Timeout.ofMilliseconds(timeout.toMillis());
        return ApacheHttpClient5TransportBuilder.builder(hosts)
                .setMapper(new JacksonJsonpMapper())
                .setConnectionConfigCallback(c -> c.setConnectTimeout(t).setSocketTimeout(t))
                .setRequestConfigCallback(r -> r.setResponseTimeout(t))
                .build();
    }

    @Override
    public void ensureIndex() throws IOException {
        if (status("HEAD", "/_alias/" + alias) == 200) {
            return;
        }
        ObjectNode body = (ObjectNode) json.readTree(SearchIndex.definition(shards, replicas));
        body.putObject("aliases").putObject(alias).put("is_write_index", true);
        try (Response r = client.execute(Requests.builder()
                .method("PUT")
                .endpoint("/" + SearchIndex.backingIndex(alias))
                .body(Body.from(json.writeValueAsBytes(body), "application/json"))
                .build())) {
            // another task created it first: resource_already_exists_exception, and that is fine
            if (r.getStatus() != 200 && !text(r).contains("resource_already_exists_exception")) {
                throw new IOException(
                        "creating index " + SearchIndex.backingIndex(alias) + ": " + r.getStatus() + " " + text(r));
            }
        }
    }

    private int status(String method, String endpoint) throws IOException {
        try (Response r = client.execute(
                Requests.builder().method(method).endpoint(endpoint).build())) {
            return r.getStatus();
        }
    }

    @Override
    public List<Result> write(List<DocumentAction> actions) throws IOException {
        List<List<Integer>> split = lanes(actions, lanes);
        if (split.size() <= 1) {
            return writeInOrder(actions);
        }
        List<Future<List<Result>>> others = new ArrayList<>();
        for (List<Integer> lane : split.subList(1, split.size())) {
            others.add(senders.submit(() -> writeInOrder(select(actions, lane))));
        }
        Throwable failure = null;
        Result[] results = new Result[actions.size()];
        try {
            place(results, split.get(0), writeInOrder(select(actions, split.get(0))));
        } catch (IOException | RuntimeException e) {
            failure = e;
        }
        // wait for every lane, even after a failure: a request still in flight could otherwise land
        // after the redelivery of the same actions, in the wrong order
        boolean interrupted = false;
        for (int i = 0; i < others.size(); i++) {
            try {
                place(results, split.get(i + 1), awaitUninterruptibly(others.get(i)));
            } catch (ExecutionException e) {
                failure = failure != null ? failure : e.getCause();
            }
            interrupted |= Thread.interrupted();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure instanceof IOException e) {
            throw e;
        }
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
        if (failure != null) {
            throw new IOException(failure);
        }
        return List.of(results);
    }

    /**
     * Positions of the actions in each lane, by document id (every action on one document in one
     * lane, in batch order); empty lanes left out.
     */
    static List<List<Integer>> lanes(List<DocumentAction> actions, int lanes) {
        int n = Math.max(1, Math.min(lanes, actions.size()));
        List<List<Integer>> split = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            split.add(new ArrayList<>());
        }
        for (int i = 0; i < actions.size(); i++) {
            split.get(Math.floorMod(actions.get(i).id().hashCode(), n)).add(i);
        }
        split.removeIf(List::isEmpty);
        return split;
    }

    private static List<DocumentAction> select(List<DocumentAction> actions, List<Integer> positions) {
        List<DocumentAction> out = new ArrayList<>(positions.size());
        for (int i : positions) {
            out.add(actions.get(i));
        }
        return out;
    }

    private static void place(Result[] results, List<Integer> positions, List<Result> laneResults) {
        for (int i = 0; i < positions.size(); i++) {
            results[positions.get(i)] = laneResults.get(i);
        }
    }

    private static <T> T awaitUninterruptibly(Future<T> future) throws ExecutionException {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return future.get();
                } catch (InterruptedException e) {
                    interrupted = true; // the lane ends within the request timeout; its answer is needed
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** One lane: its actions in bulk requests within the bounds, one after the other. */
    private List<Result> writeInOrder(List<DocumentAction> actions) throws IOException {
        List<Result> results = new ArrayList<>(actions.size());
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        List<DocumentAction> inRequest = new ArrayList<>();
        for (DocumentAction action : actions) {
            byte[] lines = lines(action);
            if (!inRequest.isEmpty() && (inRequest.size() >= maxActions || request.size() + lines.length > maxBytes)) {
                results.addAll(send(request.toByteArray(), inRequest));
                request.reset();
                inRequest.clear();
            }
            request.write(lines);
            inRequest.add(action);
        }
        if (!inRequest.isEmpty()) {
            results.addAll(send(request.toByteArray(), inRequest));
        }
        return results;
    }

    private byte[] lines(DocumentAction action) throws IOException {
        ObjectNode meta = json.createObjectNode();
        ObjectNode target = meta.putObject(action.op().name().toLowerCase(java.util.Locale.ROOT));
        target.put("_index", alias).put("_id", action.id()).put("routing", action.routing());
        StringBuilder out = new StringBuilder(json.writeValueAsString(meta)).append('\n');
        if (action.op() == DocumentAction.Op.INDEX) {
            out.append(json.writeValueAsString(action.source())).append('\n');
        } else if (action.op() == DocumentAction.Op.UPDATE) {
            ObjectNode doc = json.createObjectNode();
            doc.set("doc", json.valueToTree(action.source()));
            out.append(json.writeValueAsString(doc)).append('\n');
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private List<Result> send(byte[] body, List<DocumentAction> actions) throws IOException {
        try (Response r = client.execute(Requests.builder()
                .method("POST")
                .endpoint("/_bulk")
                .body(Body.from(body, "application/x-ndjson"))
                .build())) {
            int status = r.getStatus();
            if (status == 429 || status >= 500) {
                throw new IOException("bulk request answered " + status + ": " + abbreviate(text(r)));
            }
            JsonNode answer = json.readTree(text(r));
            JsonNode items = answer.path("items");
            if (status != 200 || !items.isArray() || items.size() != actions.size()) {
                // the whole request refused (a 400 on its shape, a 413 on its size): each action on its own fails too
                List<Result> refused = new ArrayList<>();
                for (int i = 0; i < actions.size(); i++) {
                    refused.add(new Result(
                            Outcome.REFUSED, "bulk request answered " + status + ": " + abbreviate(text(r))));
                }
                return refused;
            }
            List<Result> results = new ArrayList<>(actions.size());
            for (int i = 0; i < actions.size(); i++) {
                JsonNode item = items.get(i).elements().next();
                results.add(result(actions.get(i), item));
            }
            return results;
        }
    }

    @Override
    public long deleteExpired(long nowMillis, int maxDocs) throws IOException {
        ObjectNode body = json.createObjectNode();
        body.putObject("query").putObject("range").putObject("expires_at").put("lt", nowMillis);
        // conflicts=proceed: a document re-indexed meanwhile (a redelivery) is skipped, not a failure
        try (Response r = client.execute(Requests.builder()
                .method("POST")
                .endpoint("/" + alias + "/_delete_by_query")
                .query(java.util.Map.of("conflicts", "proceed", "max_docs", Integer.toString(maxDocs)))
                .body(Body.from(json.writeValueAsBytes(body), "application/json"))
                .build())) {
            String text = text(r);
            if (r.getStatus() == 404 && text.contains("index_not_found_exception")) {
                return 0; // nothing indexed yet
            }
            if (r.getStatus() != 200) {
                throw new IOException("delete by query answered " + r.getStatus() + ": " + abbreviate(text));
            }
            return json.readTree(text).path("deleted").asLong();
        }
    }

    static Result result(DocumentAction action, JsonNode item) {
        int status = item.path("status").asInt();
        if (status >= 200 && status < 300) {
            return Result.DONE;
        }
        if (status == 404 && action.op() != DocumentAction.Op.INDEX) {
            // a redelivered delete, or an edit of a message the index no longer (or never) held:
            // there is nothing left to change, and a dead letter would only be noise
            return Result.DONE;
        }
        JsonNode error = item.path("error");
        String reason = status + " " + error.path("type").asText() + ": "
                + error.path("reason").asText();
        if (status == 429 || status >= 500) {
            return new Result(Outcome.RETRY, reason);
        }
        return new Result(Outcome.REFUSED, reason);
    }

    private static String text(Response r) {
        return r.getBody().map(Body::bodyAsString).orElse("");
    }

    private static String abbreviate(String s) {
        return s.length() <= 500 ? s : s.substring(0, 500) + "...";
    }

    @Override
    public void close() {
        if (senders != null) {
            senders.shutdownNow();
        }
        try {
            transport.close();
        } catch (IOException e) {
            // closing an idle connection pool: nothing left to lose
        }
    }
}
