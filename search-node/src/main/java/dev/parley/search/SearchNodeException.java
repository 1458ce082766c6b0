package dev.parley.search;

/** The node could not be started; the message says what to do, for a one-line report. */
public final class SearchNodeException extends RuntimeException {

    public SearchNodeException(String message) {
        super(message);
    }

    public SearchNodeException(String message, Throwable cause) {
        super(message, cause);
    }
}
