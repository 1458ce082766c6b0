package dev.parley.standalone;

import dev.parley.connect.cassandra.CassandraSinkConfig;
import dev.parley.connect.cassandra.CassandraSinkConnector;
import dev.parley.connect.push.PushSinkConfig;
import dev.parley.connect.push.PushSinkConnector;
import dev.parley.connect.search.OpenSearchSinkConfig;
import dev.parley.connect.search.OpenSearchSinkConnector;
import dev.parley.schema.Topics;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The connectors the embedded default runs; the same settings as {@code
 * connectors/cassandra-sink.json}, {@code connectors/search-sink.json} and {@code
 * connectors/push-sink.json}, which a distributed worker
 * takes through its REST API.
 */
final class SinkDeployments {

    private SinkDeployments() {}

    /**
     * The push sink with the provider settings of {@code push.config.file} (see the README's push
     * sink table); unknown keys there are refused rather than silently ignored.
     */
    static Map<String, String> pushSink(String contactPoint, String bootstrapServers, Path providerSettings)
            throws IOException {
        Map<String, String> c = new HashMap<>();
        c.put("name", "parley-push-sink");
        c.put("connector.class", PushSinkConnector.class.getName());
        c.put("tasks.max", "1");
        c.put("topics", Topics.PUSH.name());
        if (providerSettings != null) {
            Properties file = new Properties();
            try (Reader in = Files.newBufferedReader(providerSettings)) {
                file.load(in);
            }
            for (String key : file.stringPropertyNames()) {
                if (!PushSinkConfig.CONFIG.names().contains(key)) {
                    throw new StartupException(providerSettings + ": unknown push sink key '" + key
                            + "' (see the README's push sink table)");
                }
                c.put(key, file.getProperty(key).strip());
            }
        }
        c.put(PushSinkConfig.CONTACT_POINTS, contactPoint);
        c.put(PushSinkConfig.KEYSPACE, "parley");
        c.put(PushSinkConfig.DEVICES_BOOTSTRAP, bootstrapServers);
        deadLetters(c);
        return c;
    }

    static Map<String, String> cassandraSink(String contactPoint) {
        Map<String, String> c = new HashMap<>();
        c.put("name", "parley-cassandra-sink");
        c.put("connector.class", CassandraSinkConnector.class.getName());
        c.put("tasks.max", "1");
        c.put("topics", Topics.EVENTS.name());
        c.put(CassandraSinkConfig.CONTACT_POINTS, contactPoint);
        c.put(CassandraSinkConfig.KEYSPACE, "parley");
        deadLetters(c);
        return c;
    }

    /** The search sink: parley.events.v1 into the alias parley-messages of the forked node. */
    static Map<String, String> searchSink(String url) {
        Map<String, String> c = new HashMap<>();
        c.put("name", "parley-search-sink");
        c.put("connector.class", OpenSearchSinkConnector.class.getName());
        c.put("tasks.max", "1");
        c.put("topics", Topics.EVENTS.name());
        c.put(OpenSearchSinkConfig.URLS, url);
        c.put(OpenSearchSinkConfig.INDEX, "parley-messages");
        deadLetters(c);
        return c;
    }

    /** Records a sink gives up on go to the dead-letter topic with the error in headers; the sink goes on. */
    private static void deadLetters(Map<String, String> c) {
        c.put("errors.tolerance", "all");
        c.put("errors.deadletterqueue.topic.name", Topics.DEAD_LETTER.name());
        c.put("errors.deadletterqueue.topic.replication.factor", "1");
        c.put("errors.deadletterqueue.context.headers.enable", "true");
    }
}
