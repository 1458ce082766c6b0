package dev.parley.edge.media;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;

/**
 * The EXIF of a PNG file: its {@code eXIf} chunk, a bare TIFF structure, found by walking the
 * chunk headers before the image data (the PNG 1.5 extension requires it there). Read here and not
 * with metadata-extractor's PNG reader, which also inflates compressed text chunks: a deflate bomb
 * of its own.
 */
final class PngExif {

    // real EXIF blocks are a few KiB (JPEG caps them at 64 KiB); a larger claim is not read
    private static final int MAX_EXIF_BYTES = 1 << 16;
    private static final int MAX_CHUNKS = 512;

    private PngExif() {}

    /** The eXIf chunk's data, or null if there is none before the image data or it is unreadable. */
    static byte[] find(FileChannel channel) throws IOException {
        long position = 8; // the signature
        try {
            for (int i = 0; i < MAX_CHUNKS; i++) {
                ByteBuffer header = read(channel, position, 8);
                long length = header.getInt(0) & 0xFFFFFFFFL;
                String type = new String(header.array(), 4, 4, StandardCharsets.ISO_8859_1);
                if (type.equals("IDAT") || type.equals("IEND")) {
                    return null;
                }
                if (type.equals("eXIf")) {
                    return length <= MAX_EXIF_BYTES
                            ? read(channel, position + 8, (int) length).array()
                            : null;
                }
                position += 12 + length; // length, type, data, CRC
            }
            return null;
        } catch (EOFException truncated) {
            return null;
        }
    }

    private static ByteBuffer read(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        long at = position;
        while (buffer.hasRemaining()) {
            int read = channel.read(buffer, at);
            if (read < 0) {
                throw new EOFException();
            }
            at += read;
        }
        return buffer;
    }
}
