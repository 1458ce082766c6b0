package dev.parley.topology.routing;

import dev.parley.schema.Delivery;
import dev.parley.schema.Topics;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.RecordContext;
import org.apache.kafka.streams.processor.TopicNameExtractor;

/** A delivery and the edge it is for; the edge picks the topic and is not written to the record. */
public record EdgeDelivery(String edgeId, Delivery delivery) {

    public static TopicNameExtractor<String, EdgeDelivery> topicExtractor() {
        return new TopicExtractor();
    }

    /** A named class, not a lambda, so {@code describe()} stays the same from build to build. */
    static final class TopicExtractor implements TopicNameExtractor<String, EdgeDelivery> {
        @Override
        public String extract(String key, EdgeDelivery value, RecordContext context) {
            return Topics.delivery(value.edgeId()).name();
        }
    }

    /** To the edge's signals topic: for the at-least-once SignalTopology. */
    public static TopicNameExtractor<String, EdgeDelivery> signalsTopicExtractor() {
        return new SignalsTopicExtractor();
    }

    static final class SignalsTopicExtractor implements TopicNameExtractor<String, EdgeDelivery> {
        @Override
        public String extract(String key, EdgeDelivery value, RecordContext context) {
            return Topics.signals(value.edgeId()).name();
        }
    }

    public static Serializer<EdgeDelivery> serializer(Serializer<Delivery> deliveries) {
        return (topic, value) -> value == null ? null : deliveries.serialize(topic, value.delivery());
    }
}
