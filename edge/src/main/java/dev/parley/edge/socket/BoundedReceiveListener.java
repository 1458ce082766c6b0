package dev.parley.edge.socket;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.undertow.websockets.core.AbstractReceiveListener;
import io.undertow.websockets.core.StreamSourceFrameChannel;
import io.undertow.websockets.core.WebSocketChannel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.xnio.ChannelListener;

/**
 * Reads one socket's messages as they stream in and never holds more than {@code ws.max.frame.bytes}
 * of any: Undertow's buffering listener would hold a whole message first, so a 600 MB frame took
 * 600 MB. A text message within the limit goes to {@link Frames#text}. One beyond it stops being
 * buffered at the limit: the client gets {@code too_large} with the id read from the message's start
 * (when it is there) and the socket is closed with 1009 (RFC 6455 7.4.1: message too big); the rest
 * is read and dropped until the close completes. A binary message is not buffered at all: close 1003
 * (unsupported data), the protocol is JSON text.
 */
final class BoundedReceiveListener extends AbstractReceiveListener {

    static final int MESSAGE_TOO_BIG = 1009;
    static final int UNSUPPORTED_DATA = 1003;
    private static final int MAX_ID_CHARS = 128;
    private static final JsonFactory JSON = new JsonFactory();

    /** What the socket does with what was read. Runs on the connection's I/O thread. */
    interface Frames {
        void text(String text);

        /** A text message over the limit; {@code id} is its frame id when its start carries one. */
        void tooLarge(String id, int maxBytes);

        /** The text is not UTF-8. */
        void notUtf8();

        /** Refuse the connection with a close code; what the client still sends is dropped. */
        void refuse(int code, String reason);
    }

    private final int maxFrameBytes;
    private final Frames frames;
    private final ByteBuffer chunk = ByteBuffer.allocate(8192);

    BoundedReceiveListener(int maxFrameBytes, Frames frames) {
        this.maxFrameBytes = maxFrameBytes;
        this.frames = frames;
    }

    @Override
    protected void onText(WebSocketChannel channel, StreamSourceFrameChannel message) {
        new TextReader().handleEvent(message);
    }

    @Override
    protected void onBinary(WebSocketChannel channel, StreamSourceFrameChannel message) {
        frames.refuse(UNSUPPORTED_DATA, "binary frames are not supported: frames are JSON text");
        drain(message);
    }

    /** Reads and drops what remains of a message, so the client's close frame can still arrive. */
    private void drain(StreamSourceFrameChannel message) {
        ChannelListener<StreamSourceFrameChannel> dropper = ch -> {
            try {
                int n;
                do {
                    chunk.clear();
                    n = ch.read(chunk);
                } while (n > 0);
                if (n == -1) {
                    ch.getReadSetter().set(null);
                }
            } catch (IOException e) {
                // the connection is being refused anyway; the close task cleans up
                ch.getReadSetter().set(null);
            }
        };
        message.getReadSetter().set(dropper);
        dropper.handleEvent(message);
        message.resumeReads();
    }

    /** One text message, accumulated up to the limit. */
    private final class TextReader implements ChannelListener<StreamSourceFrameChannel> {
        private byte[] bytes = new byte[256];
        private int size;

        @Override
        public void handleEvent(StreamSourceFrameChannel message) {
            try {
                while (true) {
                    chunk.clear();
                    int n = message.read(chunk);
                    if (n == 0) {
                        message.getReadSetter().set(this);
                        message.resumeReads();
                        return;
                    }
                    if (n == -1) {
                        message.getReadSetter().set(null);
                        complete();
                        return;
                    }
                    chunk.flip();
                    if (size + n > maxFrameBytes) {
                        append(maxFrameBytes - size);
                        frames.tooLarge(peekId(bytes, size), maxFrameBytes);
                        frames.refuse(MESSAGE_TOO_BIG, "frame larger than " + maxFrameBytes + " bytes");
                        drain(message);
                        return;
                    }
                    append(n);
                }
            } catch (IOException e) {
                // a broken connection: Undertow closes it and runs the close task
                message.getReadSetter().set(null);
            }
        }

        private void append(int n) {
            if (size + n > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.min(maxFrameBytes, Math.max(size + n, bytes.length * 2)));
            }
            chunk.get(bytes, size, n);
            size += n;
        }

        private void complete() {
            String text;
            try {
                text = StandardCharsets.UTF_8
                        .newDecoder()
                        .decode(ByteBuffer.wrap(bytes, 0, size))
                        .toString();
            } catch (CharacterCodingException e) {
                frames.notUtf8();
                return;
            }
            frames.text(text);
        }
    }

    /**
     * The top-level {@code "id"} of a JSON object, if it appears within {@code length} bytes (an
     * oversized frame is cut at the limit, so a later id cannot be read and the answer carries none).
     */
    static String peekId(byte[] bytes, int length) {
        try (JsonParser parser = JSON.createParser(bytes, 0, length)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if ("id".equals(field)) {
                    String id = value == JsonToken.VALUE_STRING ? parser.getText() : null;
                    return id != null && !id.isEmpty() && id.length() <= MAX_ID_CHARS ? id : null;
                }
                parser.skipChildren();
            }
            return null;
        } catch (IOException e) {
            return null; // cut off before an id, or not JSON: the answer carries no id
        }
    }
}
