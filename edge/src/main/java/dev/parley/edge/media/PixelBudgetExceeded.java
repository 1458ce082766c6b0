package dev.parley.edge.media;

/**
 * An image whose header declares more pixels than {@code media.max.pixels}: refused before any
 * pixel is decoded (a decompression bomb: a small file whose decoded raster would not fit in heap).
 */
public final class PixelBudgetExceeded extends Exception {

    private static final long serialVersionUID = 1L;

    public PixelBudgetExceeded(long width, long height, long maxPixels) {
        super("the image declares " + width + "x" + height + " = " + width * height
                + " pixels, more than media.max.pixels = " + maxPixels);
    }
}
