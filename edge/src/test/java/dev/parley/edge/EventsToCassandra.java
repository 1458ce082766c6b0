package dev.parley.edge;

import com.datastax.oss.driver.api.core.CqlSession;
import dev.parley.schema.ConversationEvent;
import dev.parley.schema.history.EventWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The Cassandra sink's write path without a Connect worker: reads committed events and stores each
 * with the sink's own {@link EventWriter}, so history, conversation lists and members read by the
 * edge are what the sink would write. For tests of clients that need history (the web page).
 */
final class EventsToCassandra implements AutoCloseable {

    private final CqlSession session;
    private final EventWriter writer;
    private final CommittedEvents events;

    EventsToCassandra(String bootstrap, CqlSession session, String keyspace) {
        this.session = session;
        this.writer = new EventWriter(session, keyspace, 64, 4096);
        this.events = new CommittedEvents(bootstrap, "events-to-cassandra", this::write);
    }

    private void write(List<ConversationEvent> batch) {
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (ConversationEvent e : batch) {
            writes.add(writer.write(e));
        }
        writes.forEach(CompletableFuture::join);
        writer.advanceConversations().join(); // as the sink: last_seq once the batch's rows are in
    }

    @Override
    public void close() throws InterruptedException {
        events.close();
        writer.close();
        session.close();
    }
}
