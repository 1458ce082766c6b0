package dev.parley.bench.media;

import dev.parley.edge.media.MediaFacts;
import dev.parley.edge.media.MediaInspector;
import dev.parley.edge.media.PixelBudgetExceeded;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.FileImageOutputStream;

/**
 * Thumbnail time for a camera-sized JPEG: {@link MediaInspector#inspect} end to end (sniff, header,
 * subsampled decode, scale, JPEG encode of the 320 px thumbnail), as an upload runs it, one at a
 * time on one thread. The photo is generated (smooth gradients plus sensor-like noise, quality 0.9,
 * so it is as large as a phone's). For contrast, a plain {@code ImageIO.read} of the same file.
 *
 * <p>{@code java -cp <edge and bench classes> dev.parley.bench.media.ThumbnailBenchmark [runs]
 * [warm-up runs] [megapixels]}, defaults 200, 50, 12.
 */
public final class ThumbnailBenchmark {

    /** What one run measured; times in milliseconds, allocation in bytes per inspection. */
    public record Result(
            int megapixels,
            long fileBytes,
            int runs,
            double p50,
            double p99,
            double max,
            long allocatedPerRun,
            double fullDecodeP50) {
        public String summary() {
            return String.format(
                    Locale.ROOT,
                    "%d MP JPEG (%.1f MB), %d runs: thumbnail p50 %.1f ms, p99 %.1f ms, max %.1f ms,"
                            + " %.1f MB allocated per thumbnail; full ImageIO.read p50 %.1f ms",
                    megapixels,
                    fileBytes / 1e6,
                    runs,
                    p50,
                    p99,
                    max,
                    allocatedPerRun / 1e6,
                    fullDecodeP50);
        }
    }

    private ThumbnailBenchmark() {}

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int warmUp = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        int megapixels = args.length > 2 ? Integer.parseInt(args[2]) : 12;
        System.out.println(run(megapixels, warmUp, runs).summary());
    }

    public static Result run(int megapixels, int warmUp, int runs) throws IOException, PixelBudgetExceeded {
        Path dir = Files.createTempDirectory("thumbnail-bench");
        try {
            Path photo = dir.resolve("photo.jpg");
            writePhoto(megapixels, photo);
            MediaInspector inspector = new MediaInspector(50_000_000, false);
            for (int i = 0; i < warmUp; i++) {
                inspect(inspector, photo);
            }
            com.sun.management.ThreadMXBean threads =
                    (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
            double[] millis = new double[runs];
            for (int i = 0; i < runs; i++) {
                long start = System.nanoTime();
                inspect(inspector, photo);
                millis[i] = (System.nanoTime() - start) / 1e6;
            }
            long allocated = (threads.getCurrentThreadAllocatedBytes() - allocatedBefore) / Math.max(1, runs);
            Arrays.sort(millis);
            double[] full = new double[Math.max(1, Math.min(runs, 10))];
            for (int i = 0; i < full.length; i++) {
                long start = System.nanoTime();
                ImageIO.read(photo.toFile());
                full[i] = (System.nanoTime() - start) / 1e6;
            }
            Arrays.sort(full);
            return new Result(
                    megapixels,
                    Files.size(photo),
                    runs,
                    percentile(millis, 50),
                    percentile(millis, 99),
                    millis[runs - 1],
                    allocated,
                    percentile(full, 50));
        } finally {
            try (var files = Files.list(dir)) {
                for (Path file : files.toList()) {
                    Files.delete(file);
                }
            }
            Files.delete(dir);
        }
    }

    private static void inspect(MediaInspector inspector, Path photo) throws PixelBudgetExceeded {
        MediaFacts facts = inspector.inspect(photo);
        if (facts.thumbnail().isEmpty()) {
            throw new IllegalStateException("no thumbnail: " + facts);
        }
    }

    private static double percentile(double[] sorted, double percent) {
        int index = (int) Math.ceil(percent / 100 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    /** A 4:3 photo of {@code megapixels}: gradients and noise, JPEG quality 0.9. */
    private static void writePhoto(int megapixels, Path file) throws IOException {
        int width = (int) Math.round(Math.sqrt(megapixels * 1e6 * 4 / 3));
        int height = width * 3 / 4;
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Random noise = new Random(12);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int r = clamp(255 * x / width + noise.nextInt(24) - 12);
                int g = clamp(255 * y / height + noise.nextInt(24) - 12);
                int b = clamp(128 + (int) (100 * Math.sin((x + y) / 150.0)) + noise.nextInt(24) - 12);
                image.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        try (FileImageOutputStream out = new FileImageOutputStream(file.toFile())) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(0.9f);
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
    }

    private static int clamp(int value) {
        return Math.max(0, Math.min(255, value));
    }
}
