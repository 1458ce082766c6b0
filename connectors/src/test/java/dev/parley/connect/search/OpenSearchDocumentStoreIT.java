package dev.parley.connect.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.schema.search.DocumentAction;
import dev.parley.testkit.FreePorts;
import dev.parley.testkit.OpenSearchNodeExtension;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Parallel bulk requests against the real node: the index ends as if the batch ran in order. */
@ExtendWith(OpenSearchNodeExtension.class)
class OpenSearchDocumentStoreIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static OpenSearchDocumentStore store(String url, String alias, int lanes) {
        return new OpenSearchDocumentStore(List.of(url), Duration.ofSeconds(10), alias, 1, 0, 50, 5 << 20, lanes);
    }

    private static Map<String, Object> doc(String conv, long seq, String body) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("key", conv + ":" + seq);
        d.put("conversation_id", conv);
        d.put("seq", seq);
        d.put("message_id", Long.toString(seq));
        d.put("sender", "alice");
        d.put("ts", 1_780_000_000_000L + seq);
        d.put("body", body);
        return d;
    }

    /** key -> body of every document in the index. */
    private static Map<String, String> bodies(String alias) throws Exception {
        HTTP.send(
                HttpRequest.newBuilder(URI.create(OpenSearchNodeExtension.url() + "/" + alias + "/_refresh"))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.discarding());
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(URI.create(
                                OpenSearchNodeExtension.url() + "/" + alias + "/_search?size=10000&_source=key,body"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        Map<String, String> out = new HashMap<>();
        for (JsonNode hit : JSON.readTree(r.body()).path("hits").path("hits")) {
            out.put(
                    hit.path("_source").path("key").asText(),
                    hit.path("_source").path("body").asText());
        }
        return out;
    }

    @Test
    void shouldEndAsTheBatchInOrderWithEditsAndDeletesInParallelRequests() throws Exception {
        String alias = OpenSearchNodeExtension.newIndexName();
        try (OpenSearchDocumentStore store = store(OpenSearchNodeExtension.url(), alias, 4)) {
            store.ensureIndex();
            List<DocumentAction> batch = new ArrayList<>();
            Map<String, String> expected = new HashMap<>();
            for (int c = 0; c < 5; c++) {
                String conv = "g_lanes_" + c;
                for (long seq = 1; seq <= 80; seq++) {
                    String id = conv + ":" + seq;
                    batch.add(DocumentAction.index(id, conv, doc(conv, seq, "posted " + seq)));
                    expected.put(id, "posted " + seq);
                }
                for (long seq = 1; seq <= 80; seq++) { // each right behind its message, in the same batch
                    String id = conv + ":" + seq;
                    if (seq % 3 == 0) {
                        batch.add(DocumentAction.update(id, conv, Map.of("body", "edited " + seq)));
                        expected.put(id, "edited " + seq);
                    }
                    if (seq % 5 == 0) {
                        batch.add(DocumentAction.delete(id, conv));
                        expected.remove(id);
                    }
                }
            }
            int refusedAt = batch.size() / 2;
            batch.add(refusedAt, DocumentAction.index("g_lanes_0:999", "g_lanes_0", Map.of("no_such_field", 1)));

            List<DocumentStore.Result> results = store.write(batch);

            assertThat(results).hasSize(batch.size());
            assertThat(results.get(refusedAt).outcome()).isEqualTo(DocumentStore.Outcome.REFUSED);
            assertThat(results.get(refusedAt).reason()).contains("strict_dynamic_mapping_exception");
            List<DocumentStore.Result> others = new ArrayList<>(results);
            others.remove(refusedAt);
            assertThat(others).allMatch(r -> r.outcome() == DocumentStore.Outcome.DONE);
            assertThat(bodies(alias)).isEqualTo(expected);

            assertThat(store.write(batch)).as("redelivered: the same end state").hasSize(batch.size());
            assertThat(bodies(alias)).isEqualTo(expected);
        }
    }

    @Test
    void shouldFailTheWholeParallelWriteAsRetriableWhenOpenSearchIsUnreachable() {
        String nobody = "http://127.0.0.1:" + FreePorts.next();
        List<DocumentAction> batch = new ArrayList<>();
        for (long seq = 1; seq <= 20; seq++) {
            batch.add(DocumentAction.index("g_x:" + seq, "g_x", doc("g_x", seq, "hi")));
        }
        try (OpenSearchDocumentStore store = store(nobody, "parley-messages", 3)) {
            assertThatThrownBy(() -> store.write(batch)).isInstanceOf(IOException.class);
        }
    }
}
