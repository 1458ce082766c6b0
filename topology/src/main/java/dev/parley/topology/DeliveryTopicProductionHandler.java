package dev.parley.topology;

import dev.parley.schema.Topics;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drops a delivery record whose topic is gone (a reaped edge): delivery topics are a best-effort
 * transport and clients catch up by seq. Every other send error fails the task, so a write to the
 * events or notify topic is never skipped: the transaction aborts and the input is processed again.
 *
 * <p>A record that cannot be serialized is different: that fails the same way on every retry, so
 * its input record is set aside by {@link UnprocessableRecordHandler} (dead-letter topic, {@code
 * internal} to the command's origin) and processing goes on.
 */
public final class DeliveryTopicProductionHandler implements ProductionExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(DeliveryTopicProductionHandler.class);

    private final UnprocessableRecordHandler unprocessable = new UnprocessableRecordHandler();

    @Override
    public Response handleError(
            ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception exception) {
        boolean missingTopic =
                exception instanceof UnknownTopicOrPartitionException || exception instanceof TimeoutException;
        boolean perEdge =
                Topics.edgeOfDeliveryTopic(record.topic()) != null || Topics.edgeOfSignalsTopic(record.topic()) != null;
        if (missingTopic && perEdge) {
            log.warn("dropping delivery to {}: {}", record.topic(), exception.toString());
            return Response.resume();
        }
        return Response.fail();
    }

    @Override
    public Response handleSerializationError(
            ErrorHandlerContext context,
            ProducerRecord record,
            Exception exception,
            SerializationExceptionOrigin origin) {
        return Response.resume(
                unprocessable.setAside(context, context.sourceRawKey(), context.sourceRawValue(), exception));
    }

    @Override
    public void configure(Map<String, ?> configs) {}
}
