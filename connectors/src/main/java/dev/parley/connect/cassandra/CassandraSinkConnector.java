package dev.parley.connect.cassandra;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;

/**
 * Writes parley.events.v1 into the history tables of DESIGN section 4 (messages bucketed by seq,
 * conversations, members, receipts, reactions). Use with {@code ByteArrayConverter}: values are
 * Avro single-object encoded and decoded by the task. Upserts only: replaying the topic changes
 * nothing.
 */
public final class CassandraSinkConnector extends SinkConnector {

    private Map<String, String> props;

    @Override
    public void start(Map<String, String> props) {
        new CassandraSinkConfig(props); // fail fast on a bad config
        this.props = props;
    }

    @Override
    public Class<? extends Task> taskClass() {
        return CassandraSinkTask.class;
    }

    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        List<Map<String, String>> configs = new ArrayList<>();
        for (int i = 0; i < maxTasks; i++) {
            configs.add(props);
        }
        return configs;
    }

    @Override
    public void stop() {}

    @Override
    public ConfigDef config() {
        return CassandraSinkConfig.CONFIG;
    }

    @Override
    public String version() {
        return "0.1.0";
    }
}
