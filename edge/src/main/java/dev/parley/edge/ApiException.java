package dev.parley.edge;

import dev.parley.schema.ErrorCode;
import java.time.Duration;

/** A request the edge refuses: becomes an HTTP status with {@code {"code","message"}} or an error frame. */
public final class ApiException extends RuntimeException {

    private final ErrorCode code;
    private final Duration retryAfter;

    public ApiException(ErrorCode code, String message) {
        this(code, message, null);
    }

    /** @param retryAfter when the client may try again (the HTTP Retry-After header), or null. */
    public ApiException(ErrorCode code, String message, Duration retryAfter) {
        super(message, null, false, false); // an expected outcome: no stack trace to fill
        this.code = code;
        this.retryAfter = retryAfter;
    }

    public ErrorCode code() {
        return code;
    }

    /** When the client may try again, or null if the answer does not say. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
