package dev.parley.edge.media;

import dev.parley.edge.media.JpegSegments.Segment;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.FileImageInputStream;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads what an uploaded file is from its bytes: sniffed content type, image dimensions, a JPEG
 * thumbnail; and removes the location from JPEG originals. Thread-safe (no mutable state; ImageIO
 * readers and writers are created per call).
 *
 * <p>Bounded work for any input:
 *
 * <ul>
 *   <li>Dimensions come from the header only; an image declaring more than {@code maxPixels}
 *       (width x height) is refused with {@link PixelBudgetExceeded} before a pixel is decoded.
 *   <li>Big images are decoded with source subsampling (every n-th pixel, so a 12 MP JPEG decodes
 *       to about 0.3 MP), then halved and scaled down; one decoded image at a time.
 *   <li>Corrupt or truncated images (the decoder fails or warns) yield the sniffed type and, if the
 *       header was readable, dimensions, but no thumbnail: never an exception or an error log.
 * </ul>
 *
 * <p>Thumbnails: JPEG, PNG, GIF (first frame) and WebP; longest side {@value #THUMBNAIL_MAX_SIDE}
 * px (never upscaled), EXIF orientation applied (JPEG APP1, PNG {@code eXIf}), transparency flattened
 * onto white, written as a JPEG without metadata. Other files (video, audio, documents) get none,
 * and so do WebP images above {@value #WEBP_THUMBNAIL_MAX_PIXELS} pixels (see there).
 */
public final class MediaInspector {

    public static final int THUMBNAIL_MAX_SIDE = 320;
    private static final float THUMBNAIL_QUALITY = 0.8f;
    private static final Set<String> IMAGES =
            Set.of(ContentSniffer.JPEG, ContentSniffer.PNG, ContentSniffer.GIF, ContentSniffer.WEBP);
    /**
     * WebP decodes in pure Java into a full-size raster whatever the subsampling (TwelveMonkeys
     * 3.14: 4 bytes and about 0.27 us of CPU per pixel, so 49 MP took 200 MB of heap and 13 s).
     * Larger WebP images are accepted with their dimensions but get no thumbnail; phones write
     * photos as JPEG, and WebP uploads are stickers and web images far below this.
     */
    static final long WEBP_THUMBNAIL_MAX_PIXELS = 16_777_216;

    private static final Logger log = LoggerFactory.getLogger(MediaInspector.class);

    private final long maxPixels;
    private final boolean keepLocation;

    /**
     * @param maxPixels {@code media.max.pixels}: the most pixels (width x height) an image may
     *     declare to be decoded
     * @param keepLocation {@code media.keep.location}: true keeps GPS tags in JPEG originals
     */
    public MediaInspector(long maxPixels, boolean keepLocation) {
        if (maxPixels < 1) {
            throw new IllegalArgumentException("maxPixels must be positive: " + maxPixels);
        }
        this.maxPixels = maxPixels;
        this.keepLocation = keepLocation;
        // ImageIO's default stream cache is a temporary file per stream: memory is enough for the
        // small streams used here, and the disk stays out of the upload path
        ImageIO.setUseCache(false);
    }

    /**
     * Reads what the file is from its bytes. May rewrite the file in place (GPS strip): the caller
     * computes size and sha256 AFTER it. Never throws for corrupt/truncated input (returns facts
     * without thumbnail).
     *
     * @throws PixelBudgetExceeded if an image declares more than {@code maxPixels} pixels
     * @throws UncheckedIOException if the file itself cannot be read or written (never for what
     *     it contains)
     */
    public MediaFacts inspect(Path file) throws PixelBudgetExceeded {
        try {
            return inspectFile(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write " + file, e);
        }
    }

    private MediaFacts inspectFile(Path file) throws PixelBudgetExceeded, IOException {
        String type = sniff(file);
        if (!IMAGES.contains(type)) {
            return new MediaFacts(type, OptionalInt.empty(), OptionalInt.empty(), Optional.empty());
        }
        // the location goes first, whatever the pixels turn out to be: a JPEG too broken to decode
        // is still stored, and must not keep its GPS tags
        int orientation = orientationAndLocation(file, type);
        Dimensions stored = dimensions(file, type);
        if (stored == null) {
            return new MediaFacts(type, OptionalInt.empty(), OptionalInt.empty(), Optional.empty());
        }
        if (stored.pixels() > maxPixels) {
            throw new PixelBudgetExceeded(stored.width(), stored.height(), maxPixels);
        }
        Dimensions shown = ExifOrientation.swapsAxes(orientation) ? stored.transposed() : stored;
        Optional<Thumbnail> thumbnail = thumbnail(file, type, stored, orientation);
        return new MediaFacts(type, OptionalInt.of(shown.width()), OptionalInt.of(shown.height()), thumbnail);
    }

    private static String sniff(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(ContentSniffer.HEAD_BYTES);
            return ContentSniffer.sniff(head, head.length);
        }
    }

    /** The stored (not yet oriented) size from the header, or null if the header is unreadable. */
    private static Dimensions dimensions(Path file, String type) throws IOException {
        ImageReader reader = readerFor(type);
        try (ImageInputStream in = new FileImageInputStream(file.toFile())) {
            reader.setInput(in, true, true);
            int width = reader.getWidth(0);
            int height = reader.getHeight(0);
            return width > 0 && height > 0 ? new Dimensions(width, height) : null;
        } catch (IOException | RuntimeException unreadable) {
            log.debug("unreadable {} header: {}", type, unreadable.toString());
            return null;
        } finally {
            reader.dispose();
        }
    }

    /**
     * Reads the EXIF orientation (metadata segments only, no pixel) and, for JPEG unless the
     * location is kept, strips the location in place.
     */
    private int orientationAndLocation(Path file, String type) throws IOException {
        if (type.equals(ContentSniffer.JPEG)) {
            boolean strip = !keepLocation;
            try (FileChannel channel = strip
                    ? FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)
                    : FileChannel.open(file, StandardOpenOption.READ)) {
                List<Segment> segments = JpegSegments.read(channel);
                // the orientation the stored file keeps: none from an EXIF block blanked whole
                List<Segment> blanked = strip ? JpegLocationStripper.strip(channel, segments) : List.of();
                return segments.stream()
                        .filter(segment -> segment.isExif() && !blanked.contains(segment))
                        .findFirst()
                        .map(exif -> orientation(exif.payload(), exif.tiffStart()))
                        .orElse(ExifOrientation.NORMAL);
            }
        }
        if (type.equals(ContentSniffer.PNG)) {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                byte[] exif = PngExif.find(channel);
                return exif == null ? ExifOrientation.NORMAL : orientation(exif, 0);
            }
        }
        return ExifOrientation.NORMAL;
    }

    private static int orientation(byte[] tiff, int offset) {
        try {
            return ExifOrientation.read(tiff, offset);
        } catch (RuntimeException malformed) {
            log.debug("EXIF unreadable: {}", malformed.toString());
            return ExifOrientation.NORMAL;
        }
    }

    private Optional<Thumbnail> thumbnail(Path file, String type, Dimensions stored, int orientation)
            throws IOException {
        if (type.equals(ContentSniffer.WEBP) && stored.pixels() > WEBP_THUMBNAIL_MAX_PIXELS) {
            return Optional.empty();
        }
        BufferedImage decoded = decode(file, type, stored);
        if (decoded == null) {
            return Optional.empty();
        }
        BufferedImage small = halveWhileLarger(decoded, 2 * THUMBNAIL_MAX_SIDE);
        boolean swap = ExifOrientation.swapsAxes(orientation);
        int shownWidth = swap ? small.getHeight() : small.getWidth();
        int shownHeight = swap ? small.getWidth() : small.getHeight();
        double scale = Math.min(1.0, (double) THUMBNAIL_MAX_SIDE / Math.max(stored.width(), stored.height()));
        int width = Math.max(1, (int) Math.round((swap ? stored.height() : stored.width()) * scale));
        int height = Math.max(1, (int) Math.round((swap ? stored.width() : stored.height()) * scale));

        BufferedImage thumbnail = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = thumbnail.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            AffineTransform transform =
                    AffineTransform.getScaleInstance((double) width / shownWidth, (double) height / shownHeight);
            transform.concatenate(ExifOrientation.toDisplay(orientation, small.getWidth(), small.getHeight()));
            g.drawImage(small, transform, null);
        } finally {
            g.dispose();
        }
        return Optional.of(new Thumbnail(jpeg(thumbnail), width, height));
    }

    /**
     * The first frame, subsampled so its longest side stays at least twice the thumbnail's; null if
     * the data is corrupt or truncated (the decoder throws, or warns, as the JPEG decoder does for a
     * premature end, returning a half-grey image).
     */
    private static BufferedImage decode(Path file, String type, Dimensions stored) throws IOException {
        ImageReader reader = readerFor(type);
        List<String> warnings = new ArrayList<>();
        try (ImageInputStream in = new FileImageInputStream(file.toFile())) {
            reader.setInput(in, true, true);
            reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
            ImageReadParam param = reader.getDefaultReadParam();
            int subsampling = Math.max(1, Math.max(stored.width(), stored.height()) / (2 * THUMBNAIL_MAX_SIDE));
            if (subsampling > 1) {
                param.setSourceSubsampling(subsampling, subsampling, 0, 0);
            }
            BufferedImage image = reader.read(0, param);
            if (!warnings.isEmpty()) {
                log.debug("{} decoded with warnings, no thumbnail: {}", type, warnings);
                return null;
            }
            return image;
        } catch (IOException | RuntimeException corrupt) {
            log.debug("{} not decodable, no thumbnail: {}", type, corrupt.toString());
            return null;
        } finally {
            reader.dispose();
        }
    }

    /**
     * Halves the image until its longest side is at most {@code limit}: one bilinear step of more
     * than 2x skips source pixels and aliases. Each step drops the previous image.
     */
    private static BufferedImage halveWhileLarger(BufferedImage image, int limit) {
        BufferedImage current = image;
        while (Math.max(current.getWidth(), current.getHeight()) > limit) {
            int width = Math.max(1, current.getWidth() / 2);
            int height = Math.max(1, current.getHeight() / 2);
            BufferedImage half = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = half.createGraphics();
            try {
                g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
                g.setColor(Color.WHITE);
                g.fillRect(0, 0, width, height);
                g.drawImage(current, 0, 0, width, height, null);
            } finally {
                g.dispose();
            }
            current = half;
        }
        return current;
    }

    private static byte[] jpeg(BufferedImage image) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(THUMBNAIL_QUALITY);
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    private static ImageReader readerFor(String type) {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByMIMEType(type);
        if (!readers.hasNext()) {
            throw new IllegalStateException("no ImageIO reader for " + type + " on the class path");
        }
        return readers.next();
    }

    private record Dimensions(int width, int height) {
        long pixels() {
            return (long) width * height;
        }

        Dimensions transposed() {
            return new Dimensions(height, width);
        }
    }
}
