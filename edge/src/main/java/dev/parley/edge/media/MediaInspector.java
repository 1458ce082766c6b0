package dev.parley.edge.media;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Reads what an uploaded file is from its first bytes (the Content-Type a client claims is never
 * trusted). This build only sniffs the type: JPEG, PNG, GIF, WebP, PDF, MP4, else {@code
 * application/octet-stream}; dimensions, thumbnails, the pixel budget and the GPS strip come with
 * the image part of issue #16 behind the same API.
 */
public final class MediaInspector {

    /** An image whose header declares more pixels than {@code media.max.pixels}: refused, not decoded. */
    public static final class PixelBudgetExceeded extends Exception {
        public PixelBudgetExceeded(String message) {
            super(message);
        }
    }

    private static final int SNIFF_BYTES = 16;

    private final long maxPixels;
    private final boolean keepLocation;

    public MediaInspector(long maxPixels, boolean keepLocation) {
        this.maxPixels = maxPixels;
        this.keepLocation = keepLocation;
    }

    /**
     * Reads what the file is from its bytes. May rewrite the file in place (GPS strip): compute size
     * and sha256 after it. Never throws for corrupt or truncated input (returns facts without a
     * thumbnail).
     */
    public MediaFacts inspect(Path file) throws PixelBudgetExceeded {
        byte[] head = new byte[SNIFF_BYTES];
        int n = 0;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, SNIFF_BYTES);
        } catch (IOException e) {
            // an unreadable spool file is a stored blob of unknown type, like any unknown bytes
        }
        return new MediaFacts(sniff(head, n), OptionalInt.empty(), OptionalInt.empty(), Optional.empty());
    }

    static String sniff(byte[] b, int n) {
        if (n >= 3 && (b[0] & 0xff) == 0xFF && (b[1] & 0xff) == 0xD8 && (b[2] & 0xff) == 0xFF) {
            return "image/jpeg";
        }
        if (n >= 8
                && (b[0] & 0xff) == 0x89
                && b[1] == 'P'
                && b[2] == 'N'
                && b[3] == 'G'
                && b[4] == 0x0D
                && b[5] == 0x0A
                && b[6] == 0x1A
                && b[7] == 0x0A) {
            return "image/png";
        }
        if (n >= 6
                && b[0] == 'G'
                && b[1] == 'I'
                && b[2] == 'F'
                && b[3] == '8'
                && (b[4] == '7' || b[4] == '9')
                && b[5] == 'a') {
            return "image/gif";
        }
        if (n >= 12
                && b[0] == 'R'
                && b[1] == 'I'
                && b[2] == 'F'
                && b[3] == 'F'
                && b[8] == 'W'
                && b[9] == 'E'
                && b[10] == 'B'
                && b[11] == 'P') {
            return "image/webp";
        }
        if (n >= 5 && b[0] == '%' && b[1] == 'P' && b[2] == 'D' && b[3] == 'F' && b[4] == '-') {
            return "application/pdf";
        }
        if (n >= 8 && b[4] == 'f' && b[5] == 't' && b[6] == 'y' && b[7] == 'p') {
            return "video/mp4";
        }
        return "application/octet-stream";
    }
}
