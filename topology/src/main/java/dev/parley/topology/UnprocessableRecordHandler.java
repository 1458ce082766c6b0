package dev.parley.topology;

import dev.parley.schema.Command;
import dev.parley.schema.CommandRejected;
import dev.parley.schema.Delivery;
import dev.parley.schema.ErrorCode;
import dev.parley.schema.ParleySerdes;
import dev.parley.schema.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens to an input record when something outside the rules throws: a processor (the
 * delivery router, the push planner), a serializer ({@link DeliveryTopicProductionHandler} hands
 * serialization errors here) or a source deserializer. Such an error is deterministic, so failing
 * the task would only make the replaced stream thread fail on the same record again, forever, with
 * every other conversation of the partition stuck behind it.
 *
 * <p>Instead the input record goes to parley.deadletter.v1 in {@link DeadLetters}' format and
 * processing goes on with the next record. A command's origin connection gets {@code
 * CommandRejected{internal}} on its edge's delivery topic, so the client is not left waiting; a
 * retry with the same client id is safe (a message that was sequenced before the failure is
 * answered from the dedup store). Whatever the failing record wrote before the exception (state,
 * events) commits with it; deliveries it did not write are caught up by clients by seq.
 */
public final class UnprocessableRecordHandler implements ProcessingExceptionHandler, DeserializationExceptionHandler {

    static final String RETRY_MESSAGE = "the command could not be processed; retrying with the same id is safe";

    private static final Logger log = LoggerFactory.getLogger(UnprocessableRecordHandler.class);

    private final ParleySerdes serdes = new ParleySerdes();

    @Override
    public ProcessingExceptionHandler.Response handleError(
            ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
        return ProcessingExceptionHandler.Response.resume(
                setAside(context, context.sourceRawKey(), context.sourceRawValue(), exception));
    }

    @Override
    public DeserializationExceptionHandler.Response handleError(
            ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
        return DeserializationExceptionHandler.Response.resume(
                setAside(context, record.key(), record.value(), exception));
    }

    /**
     * The dead-letter copy of the input record, and the rejection for its origin if it is a command.
     * Empty for a punctuation, which has no input record: it is logged and runs again at its next
     * schedule.
     */
    List<ProducerRecord<byte[], byte[]>> setAside(
            ErrorHandlerContext context, byte[] key, byte[] value, Exception exception) {
        String error = exception.toString();
        if (context.topic() == null || (key == null && value == null)) {
            log.error(
                    "{} failed outside a record (task {}); going on",
                    context.processorNodeId(),
                    context.taskId(),
                    exception);
            return List.of();
        }
        log.error(
                "{} failed on {}-{}@{}; dead-lettered, going on",
                context.processorNodeId(),
                context.topic(),
                context.partition(),
                context.offset(),
                exception);
        List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>(2);
        out.add(DeadLetters.record(
                key, value, context.headers(), context.topic(), context.partition(), context.offset(), error));
        try {
            ProducerRecord<byte[], byte[]> rejection = rejection(context.topic(), key, value);
            if (rejection != null) {
                out.add(rejection);
            }
        } catch (RuntimeException e) {
            // the answer is a courtesy; the dead-letter copy must not be lost over it
            log.warn(
                    "cannot answer the origin of {}-{}@{}: {}",
                    context.topic(),
                    context.partition(),
                    context.offset(),
                    e.toString());
        }
        return out;
    }

    private ProducerRecord<byte[], byte[]> rejection(String sourceTopic, byte[] key, byte[] value) {
        if (!Topics.COMMANDS.name().equals(sourceTopic) || value == null) {
            return null;
        }
        Command command;
        try {
            command = serdes.command().deserialize(sourceTopic, value);
        } catch (RuntimeException undecodable) {
            return null; // CommandDecoder dead-letters those itself; nobody to answer
        }
        if (command.getOrigin() == null) {
            return null;
        }
        Delivery answer = new Delivery(
                command.getConversationId(),
                List.of(),
                command.getOrigin(),
                new CommandRejected(ErrorCode.INTERNAL.wire(), RETRY_MESSAGE),
                false);
        String topic;
        try {
            topic = Topics.delivery(command.getOrigin().getEdgeId()).name();
        } catch (IllegalArgumentException badEdgeId) {
            return null;
        }
        return new ProducerRecord<>(topic, null, key, serdes.delivery().serialize(topic, answer));
    }

    @Override
    public void configure(Map<String, ?> configs) {}
}
