package dev.parley.connect.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.schema.ConversationEvent;
import dev.parley.schema.MessagePosted;
import dev.parley.schema.search.DocumentAction;
import dev.parley.schema.search.SearchDocuments;
import dev.parley.testkit.FreePorts;
import dev.parley.testkit.OpenSearchNodeExtension;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code _delete_by_query} on {@code expires_at} against the real node: bounded, exact, idempotent. */
@ExtendWith(OpenSearchNodeExtension.class)
class ExpiredDocumentPurgeIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static OpenSearchDocumentStore store(String url, String alias) {
        return new OpenSearchDocumentStore(List.of(url), Duration.ofSeconds(10), alias, 1, 0, 1000, 5 << 20);
    }

    private static ConversationEvent posted(String conv, long seq, Instant ts, Long retentionSeconds) {
        return new ConversationEvent(
                seq,
                conv,
                seq,
                ts,
                "alice",
                0L,
                new MessagePosted(
                        seq, "c" + seq, "body " + seq, List.of(), null, null, retentionSeconds, List.of(), List.of()));
    }

    private static List<Long> seqsLeft(String alias) throws Exception {
        HTTP.send(
                HttpRequest.newBuilder(URI.create(OpenSearchNodeExtension.url() + "/" + alias + "/_refresh"))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.discarding());
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(URI.create(OpenSearchNodeExtension.url() + "/" + alias
                                + "/_search?size=1000&sort=seq&_source=seq"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        List<Long> out = new ArrayList<>();
        JSON.readTree(r.body())
                .path("hits")
                .path("hits")
                .forEach(h -> out.add(h.path("_source").path("seq").asLong()));
        return out;
    }

    @Test
    void shouldDeleteOnlyExpiredDocumentsAtMostTheBoundPerRun() throws Exception {
        String alias = OpenSearchNodeExtension.newIndexName();
        Instant now = Instant.now();
        try (OpenSearchDocumentStore store = store(OpenSearchNodeExtension.url(), alias)) {
            assertThat(store.deleteExpired(now.toEpochMilli(), 10))
                    .as("no index yet")
                    .isZero();
            store.ensureIndex();
            List<DocumentAction> actions = new ArrayList<>();
            for (long seq = 1; seq <= 25; seq++) { // expired an hour ago
                actions.add(SearchDocuments.actionFor(posted("g_gone", seq, now.minusSeconds(7200), 3600L)));
            }
            actions.add(SearchDocuments.actionFor(posted("g_kept", 101, now.minusSeconds(7200), null))); // kept
            actions.add(SearchDocuments.actionFor(posted("g_kept", 102, now, 3600L))); // expires in an hour
            assertThat(store.write(actions)).allMatch(r -> r.outcome() == DocumentStore.Outcome.DONE);
            assertThat(seqsLeft(alias)).hasSize(27);

            assertThat(store.deleteExpired(now.toEpochMilli(), 10)).isEqualTo(10); // the bound
            assertThat(seqsLeft(alias)).hasSize(17);
            assertThat(store.deleteExpired(now.toEpochMilli(), 100)).isEqualTo(15);
            assertThat(seqsLeft(alias)).containsExactly(101L, 102L);
            assertThat(store.deleteExpired(now.toEpochMilli(), 100))
                    .as("again: nothing")
                    .isZero();
            assertThat(store.deleteExpired(now.plusSeconds(3601).toEpochMilli(), 100))
                    .isEqualTo(1);
            assertThat(seqsLeft(alias)).containsExactly(101L);
        }
    }

    @Test
    void shouldFailAsRetriableWhenOpenSearchIsUnreachable() {
        String nobody = "http://127.0.0.1:" + FreePorts.next();
        try (OpenSearchDocumentStore store = store(nobody, "parley-messages")) {
            assertThatThrownBy(() -> store.deleteExpired(Instant.now().toEpochMilli(), 10))
                    .isInstanceOf(IOException.class);
        }
    }
}
