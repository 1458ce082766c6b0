package dev.parley.edge.media;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The content type of a file from its first bytes (its magic number), never from what the client
 * claims.
 *
 * <p>Only formats recognised by a signature get their type; everything else, text included, is
 * {@value #UNKNOWN}. That is deliberate for HTML, SVG and XML: served as {@code text/html} or
 * {@code image/svg+xml} from the app's origin they would run scripts, and no text heuristic is
 * needed to keep them inert. A polyglot (a GIF header followed by HTML) is sniffed as the image its
 * signature says, which browsers render as an image only (downloads carry {@code nosniff}).
 */
final class ContentSniffer {

    static final String UNKNOWN = "application/octet-stream";
    static final String JPEG = "image/jpeg";
    static final String PNG = "image/png";
    static final String GIF = "image/gif";
    static final String WEBP = "image/webp";

    /** Bytes {@link #sniff} looks at: the longest signature plus a Matroska header's doctype. */
    static final int HEAD_BYTES = 64;

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    private static final byte[] EBML_SIGNATURE = {0x1A, 0x45, (byte) 0xDF, (byte) 0xA3};
    private static final byte[] WEBM_DOCTYPE = {0x42, (byte) 0x82, (byte) 0x84, 'w', 'e', 'b', 'm'};

    private ContentSniffer() {}

    /** The type of a file whose first bytes are {@code head[0..length)}. */
    static String sniff(byte[] head, int length) {
        byte[] b = Arrays.copyOf(head, Math.min(length, head.length));
        if (startsWith(b, 0, (byte) 0xFF, (byte) 0xD8, (byte) 0xFF)) {
            return JPEG;
        }
        if (startsWith(b, 0, PNG_SIGNATURE)) {
            return PNG;
        }
        if (ascii(b, 0, "GIF87a") || ascii(b, 0, "GIF89a")) {
            return GIF;
        }
        if (ascii(b, 0, "RIFF")) {
            if (ascii(b, 8, "WEBP")) {
                return WEBP;
            }
            if (ascii(b, 8, "WAVE")) {
                return "audio/wav";
            }
            if (ascii(b, 8, "AVI ")) {
                return "video/x-msvideo";
            }
            return UNKNOWN;
        }
        if (ascii(b, 4, "ftyp")) {
            return isoMediaType(b);
        }
        if (startsWith(b, 0, EBML_SIGNATURE)) {
            return indexOf(b, WEBM_DOCTYPE) >= 0 ? "video/webm" : "video/x-matroska";
        }
        if (ascii(b, 0, "%PDF-")) {
            return "application/pdf";
        }
        if (ascii(b, 0, "OggS")) {
            return "audio/ogg";
        }
        if (ascii(b, 0, "fLaC")) {
            return "audio/flac";
        }
        if (ascii(b, 0, "ID3")) {
            return "audio/mpeg";
        }
        if (b.length >= 3 && (b[0] & 0xFF) == 0xFF) {
            String audio = frameSyncType(b[1] & 0xFF, b[2] & 0xFF);
            if (audio != null) {
                return audio;
            }
        }
        if (startsWith(b, 0, (byte) 'P', (byte) 'K', (byte) 3, (byte) 4)
                || startsWith(b, 0, (byte) 'P', (byte) 'K', (byte) 5, (byte) 6)) {
            return "application/zip";
        }
        if (startsWith(b, 0, (byte) 0x1F, (byte) 0x8B)) {
            return "application/gzip";
        }
        return UNKNOWN;
    }

    /**
     * An MP3 without ID3 tag or an AAC (ADTS) stream starts with a frame header; the reserved values
     * are checked too, so that a UTF-16 byte order mark (FF FE) is not taken for audio.
     */
    private static String frameSyncType(int b1, int b2) {
        if ((b1 & 0xF6) == 0xF0) {
            return "audio/aac";
        }
        boolean mpegAudio = (b1 & 0xE0) == 0xE0
                && ((b1 >> 3) & 3) != 1 // version: reserved
                && ((b1 >> 1) & 3) != 0 // layer: reserved
                && (b2 >> 4) != 15 // bit rate: invalid
                && ((b2 >> 2) & 3) != 3; // sampling rate: reserved
        return mpegAudio ? "audio/mpeg" : null;
    }

    /** ISO base media (MP4, QuickTime, HEIF): the major brand at offset 8 says which. */
    private static String isoMediaType(byte[] b) {
        if (b.length < 12) {
            return UNKNOWN;
        }
        String brand = new String(b, 8, 4, StandardCharsets.ISO_8859_1);
        return switch (brand) {
            case "qt  " -> "video/quicktime";
            case "M4A ", "M4B ", "M4P " -> "audio/mp4";
            case "heic", "heix", "heim", "heis", "mif1", "msf1" -> "image/heic";
            case "avif", "avis" -> "image/avif";
            case "3gp4", "3gp5", "3gp6", "3ge6", "3gg6" -> "video/3gpp";
            default -> "video/mp4";
        };
    }

    private static boolean ascii(byte[] b, int offset, String text) {
        return startsWith(b, offset, text.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static boolean startsWith(byte[] b, int offset, byte... prefix) {
        if (b.length < offset + prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (b[offset + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(byte[] b, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= b.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (b[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
