package dev.parley.schema.history;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.DriverTimeoutException;
import com.datastax.oss.driver.api.core.RequestThrottlingException;
import com.datastax.oss.driver.api.core.connection.BusyConnectionException;
import com.datastax.oss.driver.api.core.connection.ClosedConnectionException;
import com.datastax.oss.driver.api.core.connection.ConnectionInitException;
import com.datastax.oss.driver.api.core.connection.HeartbeatException;
import com.datastax.oss.driver.api.core.servererrors.BootstrappingException;
import com.datastax.oss.driver.api.core.servererrors.OverloadedException;
import com.datastax.oss.driver.api.core.servererrors.ReadTimeoutException;
import com.datastax.oss.driver.api.core.servererrors.TruncateException;
import com.datastax.oss.driver.api.core.servererrors.UnavailableException;
import com.datastax.oss.driver.api.core.servererrors.WriteTimeoutException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Sorts a failed write, as datastax/kafka-sink does: either Cassandra could not take it now (no
 * answer in time, too few replicas, overloaded, no connection), so the same write may succeed
 * later, or the server refused the statement itself (invalid, too large, a key over 64 KiB), which
 * no retry will change. Everything not known to be transient counts as refused: it goes to the
 * dead-letter topic with its reason rather than stopping the partition for good.
 */
public final class WriteFailures {

    private WriteFailures() {}

    public static boolean isRetriable(Throwable error) {
        Throwable e = unwrap(error);
        return e instanceof DriverTimeoutException
                || e instanceof WriteTimeoutException
                || e instanceof ReadTimeoutException
                || e instanceof UnavailableException
                || e instanceof OverloadedException
                || e instanceof BootstrappingException
                || e instanceof TruncateException
                || e instanceof RequestThrottlingException
                || e instanceof AllNodesFailedException // includes NoNodeAvailableException: no node reachable
                || e instanceof ClosedConnectionException
                || e instanceof HeartbeatException
                || e instanceof BusyConnectionException
                || e instanceof ConnectionInitException;
    }

    public static Throwable unwrap(Throwable error) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }
}
