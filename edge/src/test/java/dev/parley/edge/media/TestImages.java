package dev.parley.edge.media;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/** Images built in the test, byte by byte where ImageIO cannot write them (EXIF, WebP, bombs). */
final class TestImages {

    static final Color RED = new Color(255, 0, 0);
    static final Color GREEN = new Color(0, 255, 0);
    static final Color BLUE = new Color(0, 0, 255);
    static final Color YELLOW = new Color(255, 255, 0);

    /** The latitude written by {@link #exif}: 52/1, 31/1, 12/1 as RATIONALs, to look for later. */
    static final int[] LATITUDE = {52, 1, 31, 1, 12, 1};

    private TestImages() {}

    /** An asymmetric image: top left red, top right green, bottom left blue, bottom right yellow. */
    static BufferedImage quadrants(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        fill(g, RED, 0, 0, width / 2, height / 2);
        fill(g, GREEN, width / 2, 0, width - width / 2, height / 2);
        fill(g, BLUE, 0, height / 2, width / 2, height - height / 2);
        fill(g, YELLOW, width / 2, height / 2, width - width / 2, height - height / 2);
        g.dispose();
        return image;
    }

    private static void fill(Graphics2D g, Color color, int x, int y, int width, int height) {
        g.setColor(color);
        g.fillRect(x, y, width, height);
    }

    static byte[] encode(BufferedImage image, String format) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, format, bytes)) {
                throw new IllegalStateException("no writer for " + format);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** A GIF of two frames, the first {@code first}, the second {@code second}. */
    static byte[] animatedGif(BufferedImage first, BufferedImage second) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.prepareWriteSequence(null);
            writer.writeToSequence(new IIOImage(first, null, null), null);
            writer.writeToSequence(new IIOImage(second, null, null), null);
            writer.endWriteSequence();
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    /** {@code jpeg} with an APP1 segment holding {@code app1} (preamble included) right after SOI. */
    static byte[] withApp1(byte[] jpeg, byte[] app1) {
        ByteBuffer out = ByteBuffer.allocate(jpeg.length + 4 + app1.length);
        out.put(jpeg, 0, 2);
        out.put((byte) 0xFF)
                .put((byte) 0xE1)
                .putShort((short) (app1.length + 2))
                .put(app1);
        out.put(jpeg, 2, jpeg.length - 2);
        return out.array();
    }

    /**
     * An EXIF APP1 payload: IFD0 with Make "Parley", the orientation, optionally a GPS IFD pointer,
     * and XPTitle "Hi" after it (so that removing the pointer must move an entry); the GPS IFD holds
     * version, N/E references and {@link #LATITUDE} and a longitude as RATIONAL arrays.
     */
    static byte[] exif(ByteOrder order, int orientation, boolean gps) {
        ByteBuffer tiff = ByteBuffer.allocate(512).order(order);
        tiff.put(order == ByteOrder.LITTLE_ENDIAN ? new byte[] {'I', 'I'} : new byte[] {'M', 'M'});
        tiff.putShort((short) 42).putInt(8);
        int entries = gps ? 4 : 3;
        int ifd0End = 8 + 2 + entries * 12 + 4;
        int make = ifd0End; // "Parley\0": 7 bytes
        int title = make + 8; // "Hi" in UTF-16LE with its terminator: 6 bytes
        int gpsIfd = title + 8;
        tiff.putShort((short) entries);
        entry(tiff, 0x010F, 2, 7, make);
        entry(tiff, 0x0112, 3, 1, orientation << (order == ByteOrder.BIG_ENDIAN ? 16 : 0));
        if (gps) {
            entry(tiff, 0x8825, 4, 1, gpsIfd);
        }
        entry(tiff, 0x9C9B, 1, 6, title);
        tiff.putInt(0);
        tiff.position(make).put("Parley\0".getBytes(StandardCharsets.US_ASCII));
        tiff.position(title).put("Hi\0".getBytes(StandardCharsets.UTF_16LE));
        int end = gpsIfd;
        if (gps) {
            int gpsEntries = 5;
            int latitude = gpsIfd + 2 + gpsEntries * 12 + 4;
            int longitude = latitude + 24;
            tiff.position(gpsIfd).putShort((short) gpsEntries);
            entry(tiff, 0x0000, 1, 4, order == ByteOrder.BIG_ENDIAN ? 0x02030000 : 0x00000302);
            entry(tiff, 0x0001, 2, 2, order == ByteOrder.BIG_ENDIAN ? 'N' << 24 : 'N');
            entry(tiff, 0x0002, 5, 3, latitude);
            entry(tiff, 0x0003, 2, 2, order == ByteOrder.BIG_ENDIAN ? 'E' << 24 : 'E');
            entry(tiff, 0x0004, 5, 3, longitude);
            tiff.putInt(0);
            tiff.position(latitude);
            for (int value : LATITUDE) {
                tiff.putInt(value);
            }
            for (int value : new int[] {13, 1, 24, 1, 36, 1}) {
                tiff.putInt(value);
            }
            end = longitude + 24;
        }
        byte[] payload = new byte[6 + end];
        System.arraycopy("Exif\0\0".getBytes(StandardCharsets.US_ASCII), 0, payload, 0, 6);
        System.arraycopy(tiff.array(), 0, payload, 6, end);
        return payload;
    }

    private static void entry(ByteBuffer tiff, int tag, int type, int count, int value) {
        tiff.putShort((short) tag).putShort((short) type).putInt(count).putInt(value);
    }

    /** An XMP APP1 payload naming a GPS position, as photo editors write it. */
    static byte[] xmpWithLocation() {
        String packet = "http://ns.adobe.com/xap/1.0/\0"
                + "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF"
                + " xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"><rdf:Description"
                + " xmlns:exif=\"http://ns.adobe.com/exif/1.0/\" exif:GPSLatitude=\"52,31.2N\""
                + " exif:GPSLongitude=\"13,24.6E\"/></rdf:RDF></x:xmpmeta>";
        return packet.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A PNG declaring {@code width} x {@code height} 8-bit grey pixels whose data holds only the
     * first rows: tiny on disk, a raster of width x height bytes once a decoder allocates it.
     */
    static byte[] pngDeclaring(int width, int height) {
        ByteBuffer ihdr = ByteBuffer.allocate(13);
        ihdr.putInt(width)
                .putInt(height)
                .put((byte) 8)
                .put((byte) 0)
                .put((byte) 0)
                .put((byte) 0)
                .put((byte) 0);
        byte[] rows = new byte[4 * (width + 1)]; // filter byte 0 and zeros, four rows
        Deflater deflater = new Deflater();
        deflater.setInput(rows);
        deflater.finish();
        byte[] compressed = new byte[rows.length + 64];
        int length = deflater.deflate(compressed);
        deflater.end();
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        chunk(png, "IHDR", ihdr.array());
        chunk(png, "IDAT", java.util.Arrays.copyOf(compressed, length));
        chunk(png, "IEND", new byte[0]);
        return png.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream png, String type, byte[] data) {
        byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        png.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        png.writeBytes(typeBytes);
        png.writeBytes(data);
        png.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    /**
     * A lossless WebP (VP8L) of one colour. Each of the five prefix codes is a "simple" code of one
     * symbol, which takes zero bits per pixel, so the whole bitstream is its header.
     */
    static byte[] solidWebp(int width, int height, Color color) {
        BitWriter bits = new BitWriter();
        bits.write(0x2F, 8); // VP8L signature
        bits.write(width - 1, 14);
        bits.write(height - 1, 14);
        bits.write(0, 1); // alpha not used
        bits.write(0, 3); // version
        bits.write(0, 1); // no transform
        bits.write(0, 1); // no colour cache
        bits.write(0, 1); // no meta prefix codes
        simpleCode(bits, color.getGreen());
        simpleCode(bits, color.getRed());
        simpleCode(bits, color.getBlue());
        simpleCode(bits, 255); // alpha
        simpleCode(bits, 0); // distance
        // zero padding: TwelveMonkeys' bit reader fetches eight bytes at a time (real files are
        // longer than their header anyway)
        byte[] vp8l = java.util.Arrays.copyOf(bits.toByteArray(), bits.toByteArray().length + 8);
        int padded = vp8l.length + (vp8l.length & 1);
        ByteBuffer riff = ByteBuffer.allocate(12 + 8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        riff.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(4 + 8 + padded);
        riff.put("WEBP".getBytes(StandardCharsets.US_ASCII));
        riff.put("VP8L".getBytes(StandardCharsets.US_ASCII)).putInt(vp8l.length).put(vp8l);
        return riff.array();
    }

    private static void simpleCode(BitWriter bits, int symbol) {
        bits.write(1, 1); // simple code
        bits.write(0, 1); // one symbol
        if (symbol < 2) {
            bits.write(0, 1); // a 1-bit symbol
            bits.write(symbol, 1);
        } else {
            bits.write(1, 1); // an 8-bit symbol
            bits.write(symbol, 8);
        }
    }

    /** Least significant bit first, as VP8L reads. */
    private static final class BitWriter {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private int current;
        private int used;

        void write(int value, int count) {
            for (int i = 0; i < count; i++) {
                current |= ((value >> i) & 1) << used;
                if (++used == 8) {
                    bytes.write(current);
                    current = 0;
                    used = 0;
                }
            }
        }

        byte[] toByteArray() {
            if (used > 0) {
                bytes.write(current);
                current = 0;
                used = 0;
            }
            return bytes.toByteArray();
        }
    }
}
