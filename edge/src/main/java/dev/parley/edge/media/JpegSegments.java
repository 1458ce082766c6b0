package dev.parley.edge.media;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The marker segments of a JPEG file before its image data (start of scan), read from a channel
 * without touching the entropy-coded data: where EXIF and XMP live, so they can be read and patched
 * in place.
 */
final class JpegSegments {

    static final int APP1 = 0xE1;
    static final int COM = 0xFE;
    private static final int SOS = 0xDA;
    private static final int EOI = 0xD9;
    // real files have a few dozen segments and fill bytes; the caps bound the work a crafted file
    // of millions of empty segments could cause
    private static final int MAX_SEGMENTS = 512;
    private static final int MAX_FILL_BYTES = 64;
    private static final byte[] EXIF_PREAMBLE = "Exif\0\0".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] XMP_PREAMBLE = "http://ns.adobe.com/xap/1.0/\0".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] XMP_EXTENSION_PREAMBLE =
            "http://ns.adobe.com/xmp/extension/\0".getBytes(StandardCharsets.ISO_8859_1);

    /**
     * One segment.
     *
     * @param markerOffset file offset of the marker's second byte (the one that names the segment)
     * @param payloadOffset file offset of the payload, after the two length bytes
     * @param payload the payload (at most 65,533 bytes by the format)
     */
    record Segment(int marker, long markerOffset, long payloadOffset, byte[] payload) {

        boolean isExif() {
            return marker == APP1 && startsWith(payload, EXIF_PREAMBLE);
        }

        boolean isXmp() {
            return marker == APP1 && (startsWith(payload, XMP_PREAMBLE) || startsWith(payload, XMP_EXTENSION_PREAMBLE));
        }

        /** The TIFF structure of an EXIF segment (what follows {@code Exif\0\0}). */
        int tiffStart() {
            return EXIF_PREAMBLE.length;
        }
    }

    private JpegSegments() {}

    /**
     * Application and comment segments (APPn, COM) from the start of the file up to the first scan;
     * the others (tables, frame header) are skipped. A broken or truncated file yields the segments
     * found before the break, the last one cut where the file ends: a photo truncated in its EXIF
     * still has its location stripped. Empty for a file without a JPEG start marker. Throws only
     * when the file cannot be read.
     */
    static List<Segment> read(FileChannel channel) throws IOException {
        List<Segment> segments = new ArrayList<>();
        if (u16(channel, 0) != 0xFFD8) {
            return segments;
        }
        long position = 2;
        for (int count = 0; count < MAX_SEGMENTS; count++) {
            if (u8(channel, position) != 0xFF) {
                return segments; // not a marker (or the end of the file): the structure is broken
            }
            // a marker may be preceded by 0xFF fill bytes
            for (int fill = 0; u8(channel, position + 1) == 0xFF; fill++) {
                if (fill == MAX_FILL_BYTES) {
                    return segments;
                }
                position++;
            }
            int marker = u8(channel, position + 1);
            if (marker < 0 || marker == SOS || marker == EOI) {
                return segments;
            }
            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
                position += 2; // stand-alone markers carry no length
                continue;
            }
            int length = u16(channel, position + 2);
            if (length < 2) {
                return segments;
            }
            if ((marker >= 0xE0 && marker <= 0xEF) || marker == COM) {
                ByteBuffer payload = ByteBuffer.allocate(length - 2);
                int read = readAvailable(channel, payload, position + 4);
                segments.add(new Segment(marker, position + 1, position + 4, Arrays.copyOf(payload.array(), read)));
                if (read < length - 2) {
                    return segments;
                }
            }
            position += 2 + length;
        }
        return segments;
    }

    /** The byte at {@code position}, or -1 past the end of the file. */
    private static int u8(FileChannel channel, long position) throws IOException {
        ByteBuffer one = ByteBuffer.allocate(1);
        return readAvailable(channel, one, position) == 1 ? one.get(0) & 0xFF : -1;
    }

    /** The big-endian unsigned short at {@code position}, or -1 past the end of the file. */
    private static int u16(FileChannel channel, long position) throws IOException {
        ByteBuffer two = ByteBuffer.allocate(2);
        return readAvailable(channel, two, position) == 2 ? two.getShort(0) & 0xFFFF : -1;
    }

    /** Fills {@code buffer} from {@code position} as far as the file goes; the bytes read. */
    private static int readAvailable(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            int read = channel.read(buffer, at);
            if (read < 0) {
                break;
            }
            at += read;
        }
        return buffer.position();
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        if (bytes.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
