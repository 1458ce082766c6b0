package dev.parley.standalone;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.apache.kafka.clients.consumer.RetriableCommitFailedException;
import org.slf4j.Marker;

/**
 * Logs Kafka Connect's "Commit of offsets threw an unexpected exception" at WARN when the cause is a
 * {@link RetriableCommitFailedException}: a sink task's offset commit that met a moving group
 * coordinator (a broker stopped, as in {@code ClusterFaultIT}). Connect commits again at the next
 * flush and, after a rebalance, redelivers from the last committed offset into sinks that write
 * idempotently, so nothing is lost and nobody need act; an ERROR line would say otherwise. Every
 * other commit failure keeps its ERROR.
 */
public final class RetriableOffsetCommitFilter extends TurboFilter {

    static final String CONNECT_SINK_TASK = "org.apache.kafka.connect.runtime.WorkerSinkTask";
    private static final String COMMIT_FAILED = "Commit of offsets threw an unexpected exception";

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        if (level != Level.ERROR
                || format == null
                || !CONNECT_SINK_TASK.equals(logger.getName())
                || !format.contains(COMMIT_FAILED)) {
            return FilterReply.NEUTRAL;
        }
        Throwable cause = t != null
                ? t
                : params != null && params.length > 0 && params[params.length - 1] instanceof Throwable last
                        ? last
                        : null;
        if (!(cause instanceof RetriableCommitFailedException)) {
            return FilterReply.NEUTRAL;
        }
        // the same line one level down; this filter passes WARN through, so it is not seen twice
        logger.warn(format, params);
        return FilterReply.DENY;
    }
}
