package dev.parley.connect.search;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.schema.search.DocumentAction;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How a batch is split into parallel bulk requests (no network). */
class OpenSearchDocumentStoreTest {

    private static List<DocumentAction> postEditDelete(int messages) {
        List<DocumentAction> actions = new ArrayList<>();
        for (int seq = 1; seq <= messages; seq++) {
            actions.add(DocumentAction.index("g_a:" + seq, "g_a", Map.of("body", "v1")));
        }
        for (int seq = 1; seq <= messages; seq++) {
            actions.add(DocumentAction.update("g_a:" + seq, "g_a", Map.of("body", "v2")));
            actions.add(DocumentAction.delete("g_a:" + seq, "g_a"));
            actions.add(DocumentAction.index("g_a:" + seq, "g_a", Map.of("body", "v3")));
        }
        return actions;
    }

    @Test
    void shouldKeepEveryActionOnOneMessageInOneLaneInBatchOrder() {
        List<DocumentAction> actions = postEditDelete(100);
        List<List<Integer>> lanes = OpenSearchDocumentStore.lanes(actions, 4);

        assertThat(lanes)
                .hasSize(4)
                .allSatisfy(lane -> assertThat(lane).isNotEmpty().isSorted());
        for (List<Integer> lane : lanes) {
            for (int i : lane) {
                String id = actions.get(i).id();
                assertThat(lanes.stream().filter(l -> l.stream()
                                .anyMatch(j -> actions.get(j).id().equals(id))))
                        .as("lanes holding %s", id)
                        .hasSize(1);
            }
        }
        assertThat(lanes.stream().mapToInt(List::size).sum()).isEqualTo(actions.size());
    }

    @Test
    void shouldUseOneLaneWhenConcurrencyIsOneOrTheBatchHasOneAction() {
        List<DocumentAction> actions = postEditDelete(10);
        assertThat(OpenSearchDocumentStore.lanes(actions, 1))
                .hasSize(1)
                .first()
                .asList()
                .hasSize(actions.size());
        assertThat(OpenSearchDocumentStore.lanes(actions.subList(0, 1), 8)).containsExactly(List.of(0));
        assertThat(OpenSearchDocumentStore.lanes(List.of(), 8)).isEmpty();
    }
}
