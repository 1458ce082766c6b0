package dev.parley.edge.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MediaInspectorTest {

    @TempDir
    Path dir;

    private String typeOf(byte[] bytes) throws Exception {
        Path file = Files.write(dir.resolve("f"), bytes);
        return new MediaInspector(1_000_000, false).inspect(file).contentType();
    }

    @Test
    void shouldSniffTheTypeFromTheBytesNotTheName() throws Exception {
        assertThat(typeOf(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 0x00}))
                .isEqualTo("image/jpeg");
        assertThat(typeOf(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A}))
                .isEqualTo("image/png");
        assertThat(typeOf("GIF89a....".getBytes(StandardCharsets.US_ASCII))).isEqualTo("image/gif");
        assertThat(typeOf("RIFF\0\0\0\0WEBPVP8 ".getBytes(StandardCharsets.US_ASCII)))
                .isEqualTo("image/webp");
        assertThat(typeOf("%PDF-1.7".getBytes(StandardCharsets.US_ASCII))).isEqualTo("application/pdf");
        assertThat(typeOf("\0\0\0\u0018ftypmp42".getBytes(StandardCharsets.US_ASCII)))
                .isEqualTo("video/mp4");
        // an HTML page is never served as HTML
        assertThat(typeOf("<html><script>alert(1)</script>".getBytes(StandardCharsets.US_ASCII)))
                .isEqualTo("application/octet-stream");
        assertThat(typeOf(new byte[] {(byte) 0xFF})).isEqualTo("application/octet-stream");
    }
}
