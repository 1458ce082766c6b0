package dev.parley.standalone;

/** A start-up failure the user can act on; its message is printed as one line, without a stack trace. */
final class StartupException extends RuntimeException {

    StartupException(String message) {
        super(message);
    }

    StartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
