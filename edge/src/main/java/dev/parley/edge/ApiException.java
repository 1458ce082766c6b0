package dev.parley.edge;

import dev.parley.schema.ErrorCode;

/** A request the edge refuses: becomes an HTTP status with {@code {"code","message"}} or an error frame. */
public final class ApiException extends RuntimeException {

    private final ErrorCode code;

    public ApiException(ErrorCode code, String message) {
        super(message, null, false, false); // an expected outcome: no stack trace to fill
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
