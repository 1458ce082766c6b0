package dev.parley.cassandra;

/** The node could not be started; the message says what to do, for a one-line report. */
public final class CassandraNodeException extends RuntimeException {

    public CassandraNodeException(String message) {
        super(message);
    }

    public CassandraNodeException(String message, Throwable cause) {
        super(message, cause);
    }
}
