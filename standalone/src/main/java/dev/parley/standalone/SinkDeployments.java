package dev.parley.standalone;

import dev.parley.connect.cassandra.CassandraSinkConfig;
import dev.parley.connect.cassandra.CassandraSinkConnector;
import dev.parley.schema.Topics;
import java.util.HashMap;
import java.util.Map;

/**
 * The connectors the embedded default runs; the same settings as {@code
 * connectors/cassandra-sink.json}, which a distributed worker takes through its REST API.
 */
final class SinkDeployments {

    private SinkDeployments() {}

    static Map<String, String> cassandraSink(String contactPoint) {
        Map<String, String> c = new HashMap<>();
        c.put("name", "parley-cassandra-sink");
        c.put("connector.class", CassandraSinkConnector.class.getName());
        c.put("tasks.max", "1");
        c.put("topics", Topics.EVENTS.name());
        c.put(CassandraSinkConfig.CONTACT_POINTS, contactPoint);
        c.put(CassandraSinkConfig.KEYSPACE, "parley");
        // undecodable events go to the dead-letter topic with the error in headers; the sink goes on
        c.put("errors.tolerance", "all");
        c.put("errors.deadletterqueue.topic.name", Topics.DEAD_LETTER.name());
        c.put("errors.deadletterqueue.topic.replication.factor", "1");
        c.put("errors.deadletterqueue.context.headers.enable", "true");
        return c;
    }
}
