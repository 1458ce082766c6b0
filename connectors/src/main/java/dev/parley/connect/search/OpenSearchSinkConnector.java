package dev.parley.connect.search;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;

/**
 * Indexes the messages of parley.events.v1 into OpenSearch for the search API of DESIGN 7.2. Use
 * with {@code ByteArrayConverter}: values are Avro single-object encoded and decoded by the task.
 * Documents have the id {@code conversation_id:seq} and are routed by conversation id, so
 * replaying the topic (a redelivery, or a rebuild from offset zero) overwrites and never
 * duplicates.
 */
public final class OpenSearchSinkConnector extends SinkConnector {

    private Map<String, String> props;

    @Override
    public void start(Map<String, String> props) {
        new OpenSearchSinkConfig(props); // fail fast on a bad config
        this.props = props;
    }

    @Override
    public Class<? extends Task> taskClass() {
        return OpenSearchSinkTask.class;
    }

    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        List<Map<String, String>> configs = new ArrayList<>();
        for (int i = 0; i < maxTasks; i++) {
            Map<String, String> task = new java.util.HashMap<>(props);
            if (i > 0) { // one purge per connector is enough: each one covers the whole index
                task.put(OpenSearchSinkConfig.PURGE_INTERVAL_MS, "0");
            }
            configs.add(task);
        }
        return configs;
    }

    @Override
    public void stop() {}

    @Override
    public ConfigDef config() {
        return OpenSearchSinkConfig.CONFIG;
    }

    @Override
    public String version() {
        return "0.1.0";
    }
}
