package dev.parley.edge.media;

import static dev.parley.edge.media.TestImages.BLUE;
import static dev.parley.edge.media.TestImages.GREEN;
import static dev.parley.edge.media.TestImages.RED;
import static dev.parley.edge.media.TestImages.YELLOW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.drew.imaging.ImageMetadataReader;
import com.drew.metadata.Metadata;
import com.drew.metadata.exif.ExifIFD0Directory;
import com.drew.metadata.exif.GpsDirectory;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

class MediaInspectorTest {

    private static final long MAX_PIXELS = 50_000_000;

    @TempDir
    Path dir;

    private final MediaInspector inspector = new MediaInspector(MAX_PIXELS, false);

    // ---- content type from the bytes

    static Stream<Arguments> signatures() {
        return Stream.of(
                Arguments.of("%PDF-1.7\n", "application/pdf"),
                Arguments.of("\0\0\0\030ftypisom\0\0\0\0isommp41", "video/mp4"),
                Arguments.of("\0\0\0\024ftypqt  \0\0\0\0qt  ", "video/quicktime"),
                Arguments.of("\0\0\0\034ftypM4A \0\0\0\0M4A mp42isom", "audio/mp4"),
                Arguments.of("\032\105\337\243\237\102\206\201\001\102\202\204webm", "video/webm"),
                Arguments.of("\032\105\337\243\237\102\202\210matroska", "video/x-matroska"),
                Arguments.of("ID3\004\0\0\0\0\0\0", "audio/mpeg"),
                Arguments.of("\377\373\220\104\0\0", "audio/mpeg"),
                Arguments.of("\377\361\120\200\0\0", "audio/aac"),
                Arguments.of("OggS\0\002\0\0", "audio/ogg"),
                Arguments.of("RIFF\044\0\0\0WAVEfmt ", "audio/wav"),
                Arguments.of("fLaC\0\0\0\042", "audio/flac"),
                Arguments.of("PK\003\004\024\0\0\0", "application/zip"),
                Arguments.of("\037\213\010\0\0\0\0\0", "application/gzip"),
                Arguments.of("\0\0\0\030ftypheic\0\0\0\0mif1heic", "image/heic"),
                Arguments.of("\0\0\0\034ftypavif\0\0\0\0avifmif1miaf", "image/avif"),
                Arguments.of("\0\0\0\024ftyp3gp4\0\0\0\0isom", "video/3gpp"),
                Arguments.of("RIFF\044\0\0\0AVI LIST", "video/x-msvideo"),
                Arguments.of("RIFF\044\0\0\0CDXAfmt ", "application/octet-stream"),
                Arguments.of("<!DOCTYPE html><html><script>alert(1)</script>", "application/octet-stream"),
                Arguments.of(
                        "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>", "application/octet-stream"),
                Arguments.of("<?xml version=\"1.0\"?><svg/>", "application/octet-stream"),
                Arguments.of("\377\376<\0h\0t\0m\0l\0>\0", "application/octet-stream"), // UTF-16 HTML
                Arguments.of("hello, just text", "application/octet-stream"),
                Arguments.of("", "application/octet-stream"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("signatures")
    void shouldSniffTheTypeFromTheBytesAndNeverCallMarkupAnImage(String head, String type) throws Exception {
        MediaFacts facts = inspect(head.getBytes(StandardCharsets.ISO_8859_1));

        assertThat(facts).isEqualTo(new MediaFacts(type, OptionalInt.empty(), OptionalInt.empty(), Optional.empty()));
    }

    @Test
    void shouldSniffImagesWhateverTheirNameSays() throws Exception {
        BufferedImage image = TestImages.quadrants(40, 20);

        assertThat(inspect(TestImages.encode(image, "jpeg")).contentType()).isEqualTo("image/jpeg");
        assertThat(inspect(TestImages.encode(image, "png")).contentType()).isEqualTo("image/png");
        assertThat(inspect(TestImages.encode(image, "gif")).contentType()).isEqualTo("image/gif");
        assertThat(inspect(TestImages.solidWebp(40, 20, RED)).contentType()).isEqualTo("image/webp");
    }

    // ---- thumbnails

    @ParameterizedTest
    @ValueSource(strings = {"jpeg", "png", "gif"})
    void shouldThumbnailWithTheLongestSideAt320(String format) throws Exception {
        MediaFacts facts = inspect(TestImages.encode(TestImages.quadrants(800, 400), format));

        assertThat(facts.width()).hasValue(800);
        assertThat(facts.height()).hasValue(400);
        BufferedImage thumbnail = thumbnailOf(facts, 320, 160);
        assertThat(colours(thumbnail)).containsExactly(RED, GREEN, BLUE, YELLOW);
    }

    @Test
    void shouldThumbnailAWebp() throws Exception {
        MediaFacts facts = inspect(TestImages.solidWebp(1400, 700, GREEN));

        assertThat(facts.contentType()).isEqualTo("image/webp");
        assertThat(facts.width()).hasValue(1400);
        assertThat(facts.height()).hasValue(700);
        assertThat(colours(thumbnailOf(facts, 320, 160))).containsOnly(GREEN);
    }

    @Test
    void shouldGiveAWebpAboveItsDecodeBoundDimensionsButNoThumbnail() throws Exception {
        MediaFacts facts = inspect(TestImages.solidWebp(4097, 4096, GREEN));

        assertThat(facts.width()).hasValue(4097);
        assertThat(facts.height()).hasValue(4096);
        assertThat(facts.thumbnail()).isEmpty();
    }

    @Test
    void shouldNeverUpscaleASmallImage() throws Exception {
        MediaFacts facts = inspect(TestImages.encode(TestImages.quadrants(100, 50), "png"));

        assertThat(colours(thumbnailOf(facts, 100, 50))).containsExactly(RED, GREEN, BLUE, YELLOW);
    }

    @Test
    void shouldThumbnailTheFirstFrameOfAnAnimatedGif() throws Exception {
        byte[] gif = TestImages.animatedGif(solid(200, 100, BLUE), solid(200, 100, YELLOW));

        MediaFacts facts = inspect(gif);

        assertThat(facts.contentType()).isEqualTo("image/gif");
        assertThat(colours(thumbnailOf(facts, 200, 100))).containsOnly(BLUE);
    }

    @Test
    void shouldFlattenTransparencyOntoWhite() throws Exception {
        BufferedImage clear = new BufferedImage(60, 30, BufferedImage.TYPE_INT_ARGB); // all transparent

        MediaFacts facts = inspect(TestImages.encode(clear, "png"));

        assertThat(colours(thumbnailOf(facts, 60, 30))).containsOnly(Color.WHITE);
    }

    static Stream<Arguments> orientations() {
        // stored: red green / blue yellow, 1280 x 640 (decoded with subsampling); what an upright
        // display shows in its four quadrants (top left, top right, bottom left, bottom right)
        return Stream.of(
                Arguments.of(1, List.of(RED, GREEN, BLUE, YELLOW)),
                Arguments.of(2, List.of(GREEN, RED, YELLOW, BLUE)), // mirrored left to right
                Arguments.of(3, List.of(YELLOW, BLUE, GREEN, RED)), // upside down
                Arguments.of(4, List.of(BLUE, YELLOW, RED, GREEN)), // mirrored top to bottom
                Arguments.of(5, List.of(RED, BLUE, GREEN, YELLOW)), // transposed
                Arguments.of(6, List.of(BLUE, RED, YELLOW, GREEN)), // a quarter turn clockwise
                Arguments.of(7, List.of(YELLOW, GREEN, BLUE, RED)), // transversed
                Arguments.of(8, List.of(GREEN, YELLOW, RED, BLUE))); // a quarter turn anticlockwise
    }

    @ParameterizedTest(name = "orientation {0}")
    @MethodSource("orientations")
    void shouldApplyTheExifOrientation(int orientation, List<Color> shown) throws Exception {
        byte[] jpeg = TestImages.withApp1(
                TestImages.encode(TestImages.quadrants(1280, 640), "jpeg"),
                TestImages.exif(ByteOrder.LITTLE_ENDIAN, orientation, true));

        MediaFacts facts = inspect(jpeg);

        boolean quarterTurn = orientation >= 5;
        assertThat(facts.width()).hasValue(quarterTurn ? 640 : 1280);
        assertThat(facts.height()).hasValue(quarterTurn ? 1280 : 640);
        BufferedImage thumbnail = quarterTurn ? thumbnailOf(facts, 160, 320) : thumbnailOf(facts, 320, 160);
        assertThat(colours(thumbnail)).containsExactlyElementsOf(shown);
    }

    @Test
    void shouldKeepNoMetadataInTheThumbnail() throws Exception {
        byte[] jpeg = TestImages.withApp1(
                TestImages.encode(TestImages.quadrants(400, 200), "jpeg"),
                TestImages.exif(ByteOrder.LITTLE_ENDIAN, 6, true));

        MediaFacts facts = new MediaInspector(MAX_PIXELS, true).inspect(write(jpeg));

        Metadata metadata = ImageMetadataReader.readMetadata(
                new ByteArrayInputStream(facts.thumbnail().orElseThrow().jpeg()));
        assertThat(metadata.getFirstDirectoryOfType(ExifIFD0Directory.class)).isNull();
        assertThat(metadata.getFirstDirectoryOfType(GpsDirectory.class)).isNull();
    }

    @Test
    void shouldGiveVideoAndDocumentsNoThumbnail() throws Exception {
        byte[] mp4 = Arrays.copyOf("\0\0\0\030ftypmp42\0\0\0\0mp42isom".getBytes(StandardCharsets.ISO_8859_1), 4096);

        assertThat(inspect(mp4).thumbnail()).isEmpty();
        assertThat(inspect("%PDF-1.4 a document".getBytes(StandardCharsets.US_ASCII))
                        .thumbnail())
                .isEmpty();
    }

    // ---- the pixel budget

    @ParameterizedTest
    @ValueSource(strings = {"jpeg", "png", "gif", "webp"})
    void shouldDecodeAnImageAtThePixelBudgetAndRefuseOnePixelMore(String format) throws Exception {
        byte[] image = format.equals("webp")
                ? TestImages.solidWebp(100, 50, RED)
                : TestImages.encode(TestImages.quadrants(100, 50), format);

        assertThat(new MediaInspector(5_000, false).inspect(write(image)).thumbnail())
                .isPresent();
        assertThatThrownBy(() -> new MediaInspector(4_999, false).inspect(write(image)))
                .isInstanceOf(PixelBudgetExceeded.class)
                .hasMessageContaining("100x50")
                .hasMessageContaining("media.max.pixels = 4999");
    }

    @Test
    void shouldRefuseADecompressionBombFromItsHeaderInASmallHeap() throws Exception {
        Path bomb = write(TestImages.pngDeclaring(30_000, 30_000));
        assertThat(Files.size(bomb)).isLessThan(2_000);

        // the same file through ImageIO.read dies of OutOfMemoryError in this heap: it is a bomb
        assertThat(runInSmallHeap("decode", bomb)).contains("OutOfMemoryError");
        assertThat(runInSmallHeap("inspect", bomb))
                .contains(
                        "refused: the image declares 30000x30000 = 900000000 pixels, more than media.max.pixels = 50000000");
    }

    /** Run by {@link #runInSmallHeap} in a JVM of 48 MB heap. */
    static final class SmallHeap {
        public static void main(String[] args) throws Exception {
            Path file = Path.of(args[1]);
            try {
                if (args[0].equals("decode")) {
                    System.out.println("decoded " + ImageIO.read(file.toFile()));
                } else {
                    System.out.println("inspected " + new MediaInspector(MAX_PIXELS, false).inspect(file));
                }
            } catch (PixelBudgetExceeded refused) {
                System.out.println("refused: " + refused.getMessage());
            } catch (OutOfMemoryError oom) {
                System.out.println("OutOfMemoryError");
            }
        }
    }

    private static String runInSmallHeap(String mode, Path file) throws Exception {
        Process process = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx48m",
                        "-XX:TieredStopAtLevel=1", // starts faster; nothing here runs long
                        "-XX:+UseSerialGC",
                        "-cp",
                        System.getProperty("java.class.path"),
                        SmallHeap.class.getName(),
                        mode,
                        file.toString())
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return output;
    }

    // ---- location

    @ParameterizedTest
    @MethodSource("byteOrders")
    void shouldStripGpsFromAJpegOriginalLosslessly(ByteOrder order) throws Exception {
        byte[] jpeg = TestImages.withApp1(
                TestImages.encode(TestImages.quadrants(400, 200), "jpeg"), TestImages.exif(order, 6, true));
        Path file = write(jpeg);
        assertThat(ImageMetadataReader.readMetadata(file.toFile()).getFirstDirectoryOfType(GpsDirectory.class))
                .isNotNull();

        inspector.inspect(file);

        byte[] stripped = Files.readAllBytes(file);
        Metadata metadata = ImageMetadataReader.readMetadata(file.toFile());
        assertThat(metadata.getFirstDirectoryOfType(GpsDirectory.class)).isNull();
        assertThat(indexOf(stripped, rationals(order, TestImages.LATITUDE))).isEqualTo(-1);
        ExifIFD0Directory ifd0 = metadata.getFirstDirectoryOfType(ExifIFD0Directory.class);
        assertThat(ifd0.getInt(ExifIFD0Directory.TAG_ORIENTATION)).isEqualTo(6);
        assertThat(ifd0.getString(ExifIFD0Directory.TAG_MAKE)).isEqualTo("Parley");
        assertThat(ifd0.getDescription(ExifIFD0Directory.TAG_WIN_TITLE)).isEqualTo("Hi");
        assertThat(ifd0.getErrors()).isEmpty();
        // the image data is untouched: same length, same bytes after the EXIF segment, same pixels
        int afterExif = 2 + 4 + TestImages.exif(order, 6, true).length;
        assertThat(stripped).hasSameSizeAs(jpeg);
        assertThat(Arrays.copyOfRange(stripped, afterExif, stripped.length))
                .isEqualTo(Arrays.copyOfRange(jpeg, afterExif, jpeg.length));
        assertThat(pixels(stripped)).isEqualTo(pixels(jpeg));
    }

    static Stream<ByteOrder> byteOrders() {
        return Stream.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN);
    }

    @Test
    void shouldKeepGpsWhenConfiguredTo() throws Exception {
        byte[] jpeg = TestImages.withApp1(
                TestImages.encode(TestImages.quadrants(400, 200), "jpeg"),
                TestImages.exif(ByteOrder.LITTLE_ENDIAN, 1, true));
        Path file = write(jpeg);

        new MediaInspector(MAX_PIXELS, true).inspect(file);

        assertThat(Files.readAllBytes(file)).isEqualTo(jpeg);
        GpsDirectory gps = ImageMetadataReader.readMetadata(file.toFile()).getFirstDirectoryOfType(GpsDirectory.class);
        assertThat(gps.getGeoLocation().getLatitude()).isCloseTo(52.52, org.assertj.core.data.Offset.offset(0.01));
    }

    @Test
    void shouldLeaveAJpegWithoutLocationUntouched() throws Exception {
        byte[] jpeg = TestImages.withApp1(
                TestImages.encode(TestImages.quadrants(400, 200), "jpeg"),
                TestImages.exif(ByteOrder.LITTLE_ENDIAN, 3, false));
        Path file = write(jpeg);

        inspector.inspect(file);

        assertThat(Files.readAllBytes(file)).isEqualTo(jpeg);
    }

    @Test
    void shouldBlankAnXmpPacketThatNamesALocation() throws Exception {
        byte[] jpeg = TestImages.withApp1(
                TestImages.encode(TestImages.quadrants(400, 200), "jpeg"), TestImages.xmpWithLocation());
        Path file = write(jpeg);

        MediaFacts facts = inspector.inspect(file);

        byte[] stripped = Files.readAllBytes(file);
        assertThat(indexOf(stripped, "GPSLatitude".getBytes(StandardCharsets.US_ASCII)))
                .isEqualTo(-1);
        assertThat(stripped).hasSameSizeAs(jpeg);
        assertThat(pixels(stripped)).isEqualTo(pixels(jpeg));
        assertThat(facts.thumbnail()).isPresent();
    }

    @Test
    void shouldBlankAnExifSegmentTooBrokenToWalk() throws Exception {
        byte[] exif = TestImages.exif(ByteOrder.LITTLE_ENDIAN, 6, true);
        ByteBuffer.wrap(exif).order(ByteOrder.LITTLE_ENDIAN).putInt(6 + 8 + 2 + 2 * 12 + 8, 60_000); // GPS IFD offset
        Path file = write(TestImages.withApp1(TestImages.encode(TestImages.quadrants(400, 200), "jpeg"), exif));

        MediaFacts facts = inspector.inspect(file);

        byte[] stripped = Files.readAllBytes(file);
        assertThat(indexOf(stripped, rationals(ByteOrder.LITTLE_ENDIAN, TestImages.LATITUDE)))
                .isEqualTo(-1);
        assertThat(indexOf(stripped, "Exif\0\0".getBytes(StandardCharsets.US_ASCII)))
                .isEqualTo(-1);
        // the stored file lost its orientation with the block: the facts describe it as stored
        assertThat(facts.width()).hasValue(400);
        assertThat(facts.height()).hasValue(200);
        assertThat(facts.thumbnail()).isPresent();
    }

    @Test
    void shouldStripGpsFromAJpegTooBrokenToDecode() throws Exception {
        byte[] exif = TestImages.exif(ByteOrder.LITTLE_ENDIAN, 6, true);
        byte[] jpeg = TestImages.withApp1(TestImages.encode(TestImages.quadrants(400, 200), "jpeg"), exif);
        // cut inside the next segment: no frame header, so no dimensions and nothing to decode
        Path file = write(Arrays.copyOf(jpeg, 2 + 4 + exif.length + 10));

        MediaFacts facts = inspector.inspect(file);

        assertThat(facts)
                .isEqualTo(new MediaFacts("image/jpeg", OptionalInt.empty(), OptionalInt.empty(), Optional.empty()));
        byte[] stripped = Files.readAllBytes(file);
        assertThat(indexOf(stripped, rationals(ByteOrder.LITTLE_ENDIAN, TestImages.LATITUDE)))
                .isEqualTo(-1);
        assertThat(indexOf(stripped, "Parley".getBytes(StandardCharsets.US_ASCII)))
                .isPositive();
    }

    @Test
    void shouldStripGpsFromAJpegCutInsideItsExif() throws Exception {
        byte[] exif = TestImages.exif(ByteOrder.LITTLE_ENDIAN, 1, true);
        byte[] jpeg = TestImages.withApp1(TestImages.encode(TestImages.quadrants(400, 200), "jpeg"), exif);
        Path file = write(Arrays.copyOf(jpeg, 2 + 4 + exif.length - 4)); // the longitude's last bytes missing

        inspector.inspect(file);

        assertThat(indexOf(Files.readAllBytes(file), rationals(ByteOrder.LITTLE_ENDIAN, TestImages.LATITUDE)))
                .isEqualTo(-1);
    }

    // ---- corrupt input

    static Stream<Arguments> corruptImages() {
        byte[] jpeg = TestImages.encode(TestImages.quadrants(400, 200), "jpeg");
        byte[] png = TestImages.encode(TestImages.quadrants(400, 200), "png");
        byte[] gif = TestImages.encode(TestImages.quadrants(400, 200), "gif");
        byte[] webp = TestImages.solidWebp(400, 200, RED);
        byte[] garbage = new byte[2048];
        new java.util.Random(16).nextBytes(garbage);
        return Stream.of(
                Arguments.of("truncated JPEG", "image/jpeg", Arrays.copyOf(jpeg, jpeg.length * 6 / 10), true),
                Arguments.of(
                        "JPEG of garbage",
                        "image/jpeg",
                        concat(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF}, garbage),
                        false),
                Arguments.of("JPEG cut in its header", "image/jpeg", Arrays.copyOf(jpeg, 30), false),
                Arguments.of("truncated PNG", "image/png", Arrays.copyOf(png, png.length / 2), true),
                Arguments.of("PNG of garbage", "image/png", concat(Arrays.copyOf(png, 8), garbage), false),
                Arguments.of("truncated GIF", "image/gif", Arrays.copyOf(gif, gif.length / 2), true),
                Arguments.of("WebP without data", "image/webp", Arrays.copyOf(webp, 24), false),
                Arguments.of("WebP of garbage", "image/webp", concat(Arrays.copyOf(webp, 12), garbage), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corruptImages")
    void shouldAnswerACorruptImageWithItsTypeAndNoThumbnailQuietly(
            String name, String type, byte[] bytes, boolean headerIntact) throws Exception {
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(log);
        PrintStream stderr = System.err;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setErr(new PrintStream(printed, true, StandardCharsets.UTF_8));
        MediaFacts facts;
        try {
            facts = inspect(bytes);
        } finally {
            System.setErr(stderr);
            root.detachAppender(log);
        }

        assertThat(facts.contentType()).isEqualTo(type);
        assertThat(facts.thumbnail()).isEmpty();
        if (headerIntact) {
            assertThat(facts.width()).hasValue(400);
            assertThat(facts.height()).hasValue(200);
        }
        assertThat(log.list).noneMatch(e -> e.getLevel().isGreaterOrEqual(Level.WARN));
        assertThat(printed.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    // ---- helpers

    private MediaFacts inspect(byte[] bytes) throws Exception {
        return inspector.inspect(write(bytes));
    }

    private Path write(byte[] bytes) throws Exception {
        return Files.write(Files.createTempFile(dir, "upload", ".bin"), bytes);
    }

    private static BufferedImage thumbnailOf(MediaFacts facts, int width, int height) throws Exception {
        Thumbnail thumbnail = facts.thumbnail().orElseThrow();
        assertThat(thumbnail.width()).isEqualTo(width);
        assertThat(thumbnail.height()).isEqualTo(height);
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(thumbnail.jpeg()));
        assertThat(image.getWidth()).isEqualTo(width);
        assertThat(image.getHeight()).isEqualTo(height);
        return image;
    }

    /** The colour at the centre of each quadrant (top left, top right, bottom left, bottom right), snapped. */
    private static List<Color> colours(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        return Stream.of(
                        new int[] {w / 4, h / 4},
                        new int[] {3 * w / 4, h / 4},
                        new int[] {w / 4, 3 * h / 4},
                        new int[] {3 * w / 4, 3 * h / 4})
                .map(p -> nearest(new Color(image.getRGB(p[0], p[1]))))
                .toList();
    }

    private static Color nearest(Color c) {
        return Stream.of(RED, GREEN, BLUE, YELLOW, Color.WHITE, Color.BLACK)
                .min((a, b) -> Integer.compare(distance(a, c), distance(b, c)))
                .orElseThrow();
    }

    private static int distance(Color a, Color b) {
        int r = a.getRed() - b.getRed();
        int g = a.getGreen() - b.getGreen();
        int bl = a.getBlue() - b.getBlue();
        return r * r + g * g + bl * bl;
    }

    private static BufferedImage solid(int width, int height, Color color) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = image.createGraphics();
        g.setColor(color);
        g.fillRect(0, 0, width, height);
        g.dispose();
        return image;
    }

    private static int[] pixels(byte[] jpeg) throws Exception {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(jpeg));
        return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
    }

    private static byte[] rationals(ByteOrder order, int[] values) {
        ByteBuffer buffer = ByteBuffer.allocate(4 * values.length).order(order);
        for (int value : values) {
            buffer.putInt(value);
        }
        return buffer.array();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
