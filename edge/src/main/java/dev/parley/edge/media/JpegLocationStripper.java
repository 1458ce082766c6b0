package dev.parley.edge.media;

import dev.parley.edge.media.JpegSegments.Segment;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Removes where a JPEG photo was taken, losslessly and in place: the file keeps its length and its
 * image data byte for byte; only bytes inside metadata segments change.
 *
 * <ul>
 *   <li>EXIF: the GPS IFD is unlinked from IFD0 (its pointer entry removed, the following entries
 *       moved up) and its entries and values are overwritten with zeros. Every other tag stays,
 *       orientation included, so the photo still displays upright and keeps its camera and date
 *       tags. An EXIF segment too malformed to walk is blanked whole (turned into a comment of
 *       spaces): whatever a lenient reader might still find in it could be a location.
 *   <li>XMP: a packet that names a GPS property ({@code exif:GPSLatitude} and friends, written by
 *       photo editors) is blanked whole the same way, with its extension segments.
 * </ul>
 *
 * In place rather than a rewritten copy, so a 100 MB upload is not copied once more; the caller
 * owns the file (a temporary upload) and computes its digest afterwards.
 */
final class JpegLocationStripper {

    private static final int GPS_IFD_POINTER = 0x8825;
    private static final int ENTRY_BYTES = 12;
    private static final byte[] GPS = "GPS".getBytes(StandardCharsets.ISO_8859_1);

    private JpegLocationStripper() {}

    /**
     * Strips the location from {@code segments} of the file open in {@code channel}; returns the
     * segments blanked whole (they no longer exist for a reader of the file).
     */
    static List<Segment> strip(FileChannel channel, List<Segment> segments) throws IOException {
        List<Segment> blanked = new ArrayList<>();
        boolean changed = false;
        boolean xmpHasLocation = segments.stream().anyMatch(s -> s.isXmp() && contains(s.payload(), GPS));
        for (Segment segment : segments) {
            if (segment.isExif()) {
                byte[] payload = segment.payload().clone();
                boolean removed;
                try {
                    removed = removeGpsIfd(payload, segment.tiffStart());
                } catch (IndexOutOfBoundsException malformed) {
                    blank(channel, segment);
                    blanked.add(segment);
                    continue;
                }
                if (removed) {
                    channel.write(ByteBuffer.wrap(payload), segment.payloadOffset());
                    changed = true;
                }
            } else if (segment.isXmp() && xmpHasLocation) {
                blank(channel, segment);
                blanked.add(segment);
            }
        }
        if (changed || !blanked.isEmpty()) {
            channel.force(false);
        }
        return blanked;
    }

    /**
     * Unlinks and zeroes the GPS IFD of the TIFF structure at {@code tiff} in {@code exif}; false if
     * there is none. Throws IndexOutOfBoundsException when an offset points outside the segment.
     */
    static boolean removeGpsIfd(byte[] exif, int tiff) {
        ByteBuffer buffer = ByteBuffer.wrap(exif);
        buffer.order(orderOf(exif, tiff));
        if ((buffer.getShort(tiff + 2) & 0xFFFF) != 42) {
            throw new IndexOutOfBoundsException("not a TIFF structure");
        }
        int ifd0 = tiff + checkedOffset(buffer.getInt(tiff + 4));
        int count = buffer.getShort(ifd0) & 0xFFFF;
        int entries = ifd0 + 2;
        checkRange(exif, entries, count * ENTRY_BYTES + 4);
        for (int i = 0; i < count; i++) {
            int entry = entries + i * ENTRY_BYTES;
            if ((buffer.getShort(entry) & 0xFFFF) != GPS_IFD_POINTER) {
                continue;
            }
            int gpsIfd = tiff + checkedOffset(buffer.getInt(entry + 8));
            zeroIfd(exif, buffer, tiff, gpsIfd);
            // move the later entries and the next-IFD offset up by one entry, zero the freed tail
            int end = entries + count * ENTRY_BYTES + 4;
            System.arraycopy(exif, entry + ENTRY_BYTES, exif, entry, end - entry - ENTRY_BYTES);
            Arrays.fill(exif, end - ENTRY_BYTES, end, (byte) 0);
            buffer.putShort(ifd0, (short) (count - 1));
            return true;
        }
        return false;
    }

    /** Overwrites an IFD, and the values its entries point at, with zeros. */
    private static void zeroIfd(byte[] exif, ByteBuffer buffer, int tiff, int ifd) {
        int count = buffer.getShort(ifd) & 0xFFFF;
        int length = 2 + count * ENTRY_BYTES + 4;
        checkRange(exif, ifd, length);
        for (int i = 0; i < count; i++) {
            int entry = ifd + 2 + i * ENTRY_BYTES;
            long size =
                    (long) typeBytes(buffer.getShort(entry + 2) & 0xFFFF) * (buffer.getInt(entry + 4) & 0xFFFFFFFFL);
            if (size > 4) { // larger values live elsewhere, at the offset the entry holds
                int value = tiff + checkedOffset(buffer.getInt(entry + 8));
                checkRange(exif, value, size);
                Arrays.fill(exif, value, value + (int) size, (byte) 0);
            }
        }
        Arrays.fill(exif, ifd, ifd + length, (byte) 0);
    }

    /** Turns a segment into a comment (COM) of spaces of the same length. */
    private static void blank(FileChannel channel, Segment segment) throws IOException {
        byte[] spaces = new byte[segment.payload().length];
        Arrays.fill(spaces, (byte) ' ');
        channel.write(ByteBuffer.wrap(spaces), segment.payloadOffset());
        channel.write(ByteBuffer.wrap(new byte[] {(byte) JpegSegments.COM}), segment.markerOffset());
    }

    private static ByteOrder orderOf(byte[] exif, int tiff) {
        if (exif[tiff] == 'I' && exif[tiff + 1] == 'I') {
            return ByteOrder.LITTLE_ENDIAN;
        }
        if (exif[tiff] == 'M' && exif[tiff + 1] == 'M') {
            return ByteOrder.BIG_ENDIAN;
        }
        throw new IndexOutOfBoundsException("no TIFF byte order mark");
    }

    /** Bytes per value of a TIFF field type; 0 for unknown types (not followed). */
    private static int typeBytes(int type) {
        return switch (type) {
            case 1, 2, 6, 7 -> 1; // BYTE, ASCII, SBYTE, UNDEFINED
            case 3, 8 -> 2; // SHORT, SSHORT
            case 4, 9, 11, 13 -> 4; // LONG, SLONG, FLOAT, IFD
            case 5, 10, 12 -> 8; // RATIONAL, SRATIONAL, DOUBLE
            default -> 0;
        };
    }

    private static int checkedOffset(int offset) {
        if (offset < 8) { // an offset is unsigned and points past the 8-byte TIFF header
            throw new IndexOutOfBoundsException("bad TIFF offset " + offset);
        }
        return offset;
    }

    private static void checkRange(byte[] bytes, int start, long length) {
        if (start < 0 || length < 0 || start + length > bytes.length) {
            throw new IndexOutOfBoundsException("a TIFF range leaves the segment");
        }
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
