package dev.parley.edge.media;

import com.drew.lang.ByteArrayReader;
import com.drew.metadata.Metadata;
import com.drew.metadata.exif.ExifIFD0Directory;
import com.drew.metadata.exif.ExifReader;
import java.awt.geom.AffineTransform;

/**
 * The EXIF orientation tag (1 to 8): how the stored pixels must be turned to display the photo
 * upright. ImageIO never applies it, so a phone's portrait photo (stored landscape, tag 6) would
 * otherwise get a sideways thumbnail.
 */
final class ExifOrientation {

    static final int NORMAL = 1;

    private ExifOrientation() {}

    /** The orientation in a TIFF structure (EXIF without its JPEG preamble); {@link #NORMAL} if none. */
    static int read(byte[] tiff, int offset) {
        Metadata metadata = new Metadata();
        new ExifReader().extract(new ByteArrayReader(tiff, offset), metadata);
        ExifIFD0Directory ifd0 = metadata.getFirstDirectoryOfType(ExifIFD0Directory.class);
        Integer value = ifd0 == null ? null : ifd0.getInteger(ExifIFD0Directory.TAG_ORIENTATION);
        return value != null && value >= 1 && value <= 8 ? value : NORMAL;
    }

    /** True if the displayed image is the stored one turned a quarter (width and height swap). */
    static boolean swapsAxes(int orientation) {
        return orientation >= 5;
    }

    /**
     * Maps stored pixel coordinates of a {@code width} x {@code height} image to displayed ones, as
     * the tag's definition says (TIFF 6.0, EXIF 2.32 section 4.6.4).
     */
    static AffineTransform toDisplay(int orientation, int width, int height) {
        // new AffineTransform(m00, m10, m01, m11, m02, m12): x' = m00 x + m01 y + m02, y' = m10 x + m11 y + m12
        return switch (orientation) {
            case 2 -> new AffineTransform(-1, 0, 0, 1, width, 0); // mirrored left to right
            case 3 -> new AffineTransform(-1, 0, 0, -1, width, height); // upside down
            case 4 -> new AffineTransform(1, 0, 0, -1, 0, height); // mirrored top to bottom
            case 5 -> new AffineTransform(0, 1, 1, 0, 0, 0); // transposed
            case 6 -> new AffineTransform(0, 1, -1, 0, height, 0); // needs a quarter turn clockwise
            case 7 -> new AffineTransform(0, -1, -1, 0, height, width); // transversed
            case 8 -> new AffineTransform(0, -1, 1, 0, 0, width); // needs a quarter turn anticlockwise
            default -> new AffineTransform();
        };
    }
}
