package dev.parley.connect.push;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;

/**
 * Sends parley.push.v1 to APNs, FCM and Web Push. Use with {@code ByteArrayConverter} (values are
 * Avro single-object encoded) and a dead-letter topic ({@code errors.deadletterqueue.topic.name}):
 * pushes that fail for good land there with Connect's error headers.
 */
public final class PushSinkConnector extends SinkConnector {

    private Map<String, String> props;

    @Override
    public void start(Map<String, String> props) {
        new PushSinkConfig(props); // fail fast on a bad config
        this.props = props;
    }

    @Override
    public Class<? extends Task> taskClass() {
        return PushSinkTask.class;
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
        return PushSinkConfig.CONFIG;
    }

    @Override
    public String version() {
        return "0.1.0";
    }
}
