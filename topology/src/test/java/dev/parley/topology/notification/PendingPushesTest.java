package dev.parley.topology.notification;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.schema.ParleySerdes;
import dev.parley.topology.store.PendingPush;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/** The due-time index of pending pushes, including entries a release before the index wrote. */
class PendingPushesTest {

    private final MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
    private final KeyValueStore<String, PendingPush> pending = store(
            NotificationTopology.PENDING_STORE,
            Stores.keyValueStoreBuilder(
                    Stores.inMemoryKeyValueStore(NotificationTopology.PENDING_STORE),
                    Serdes.String(),
                    new ParleySerdes().store(PendingPush.class, PendingPush.getClassSchema())));
    private final KeyValueStore<String, Long> due = store(
            NotificationTopology.PENDING_DUE_STORE,
            Stores.keyValueStoreBuilder(
                    Stores.inMemoryKeyValueStore(NotificationTopology.PENDING_DUE_STORE),
                    Serdes.String(),
                    Serdes.Long()));

    private <V> KeyValueStore<String, V> store(
            String name, org.apache.kafka.streams.state.StoreBuilder<KeyValueStore<String, V>> builder) {
        KeyValueStore<String, V> store = builder.withLoggingDisabled().build();
        store.init(context.getStateStoreContext(), store);
        return store;
    }

    private static PendingPush held(int count) {
        return new PendingPush(1_000L, count, 7L, "alice", "hi", null, false, 0L);
    }

    @Test
    void shouldYieldOnlyDueEntriesOldestFirstAndMoveAnEntryWhenItsDueTimeChanges() {
        PendingPushes pushes = new PendingPushes(pending, due);
        pushes.put("a", held(1), 5_000);
        pushes.put("b", held(1), 2_000);
        pushes.put("c", held(1), 9_000);
        pushes.put("b", held(2), 8_000);

        assertThat(pushes.due(6_000, 10)).extracting(kv -> kv.key).containsExactly("a");
        assertThat(pushes.due(9_000, 10)).extracting(kv -> kv.key).containsExactly("a", "b", "c");
        assertThat(pushes.due(9_000, 2)).hasSize(2);
        pushes.delete("a");
        assertThat(pushes.due(9_000, 10)).extracting(kv -> kv.key).containsExactly("b", "c");
        assertThat(count(due)).isEqualTo(2);
    }

    @Test
    void shouldFileEntriesAnOlderReleaseWroteInBoundedSteps() {
        for (int i = 0; i < 25; i++) {
            pending.put(String.format("user-%02d", i), held(1)); // due_at 0: written before the index
        }
        PendingPushes pushes = new PendingPushes(pending, due);
        pushes.skipBackfillIfEmpty();
        assertThat(pushes.due(50_000, 100)).isEmpty();

        assertThat(pushes.backfill(50_000, 10)).isEqualTo(10);
        assertThat(pushes.due(50_000, 100)).hasSize(10);
        assertThat(pushes.backfill(50_000, 10)).isEqualTo(10);
        assertThat(pushes.backfill(50_000, 10)).isEqualTo(5);
        assertThat(pushes.due(50_000, 100))
                .hasSize(25)
                .extracting(kv -> kv.value.getDueAt())
                .containsOnly(50_000L);
        assertThat(pushes.backfill(60_000, 10)).as("walked once").isZero();
        assertThat(new PendingPushes(pending, due).backfill(60_000, 10))
                .as("and remembered across restarts")
                .isZero();
    }

    @Test
    void shouldNotWalkAStoreThatStartsEmpty() {
        PendingPushes pushes = new PendingPushes(pending, due);
        pushes.skipBackfillIfEmpty();
        pushes.put("a", held(1), 5_000);
        assertThat(pushes.backfill(6_000, 10)).isZero();
        assertThat(pushes.due(6_000, 10)).extracting(kv -> kv.key).containsExactly("a");
    }

    private static long count(KeyValueStore<String, ?> store) {
        long n = 0;
        try (var it = store.all()) {
            while (it.hasNext()) {
                KeyValue<String, ?> ignored = it.next();
                n++;
            }
        }
        return n;
    }
}
