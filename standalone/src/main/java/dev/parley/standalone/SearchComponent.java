package dev.parley.standalone;

import dev.parley.search.SearchNode;
import dev.parley.search.SearchNodeException;

/** The forked OpenSearch node as a component: launched early, awaited before the search sink deploys. */
final class SearchComponent implements Component {

    private final SearchNode node;

    SearchComponent(SearchNode node) {
        this.node = node;
    }

    @Override
    public String name() {
        return "opensearch";
    }

    void launch() throws java.io.IOException {
        node.launch();
    }

    String url() {
        return node.url();
    }

    @Override
    public String start() throws Exception {
        try {
            return node.awaitReady() + "  index parley-messages (data/search)";
        } catch (SearchNodeException e) {
            throw new StartupException(e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        node.close();
    }
}
