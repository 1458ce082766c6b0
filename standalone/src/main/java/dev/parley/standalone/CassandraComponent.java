package dev.parley.standalone;

import dev.parley.cassandra.CassandraNode;
import dev.parley.cassandra.CassandraNodeException;

/** The forked Cassandra node as a component: launched first, awaited last, since it boots slowest. */
final class CassandraComponent implements Component {

    private final CassandraNode node;

    CassandraComponent(CassandraNode node) {
        this.node = node;
    }

    @Override
    public String name() {
        return "cassandra";
    }

    void launch() throws java.io.IOException {
        node.launch();
    }

    String contactPoint() {
        return node.contactPoint();
    }

    @Override
    public String start() throws Exception {
        try {
            return node.awaitReady();
        } catch (CassandraNodeException e) {
            throw new StartupException(e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        node.close();
    }
}
