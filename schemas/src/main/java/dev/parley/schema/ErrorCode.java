package dev.parley.schema;

import java.util.Locale;

/**
 * Error codes of wire protocol v1 (DESIGN section 5). The topology's rejections and the edge's error
 * frames use the same codes; {@link #wire()} is what a client sees.
 */
public enum ErrorCode {
    BAD_REQUEST(400),
    UNAUTHORIZED(401),
    FORBIDDEN(403),
    NOT_MEMBER(403),
    NOT_FOUND(404),
    CONFLICT(409),
    /** The message was deleted for everyone (or has expired): nothing is left to edit or delete. */
    GONE(410),
    /** The edit window ({@code edit.window.ms}) of the message has passed. */
    EDIT_WINDOW_CLOSED(409),
    /** a tus request without {@code Tus-Resumable: 1.0.0} */
    PRECONDITION_FAILED(412),
    TOO_LARGE(413),
    UNSUPPORTED_MEDIA_TYPE(415),
    GROUP_FULL(409),
    RATE_LIMITED(429),
    INTERNAL(500),
    UNAVAILABLE(503);

    private final int httpStatus;

    ErrorCode(int httpStatus) {
        this.httpStatus = httpStatus;
    }

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public int httpStatus() {
        return httpStatus;
    }

    public static ErrorCode fromWire(String code) {
        return valueOf(code.toUpperCase(Locale.ROOT));
    }
}
