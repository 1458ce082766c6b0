package dev.parley.edge.media;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * What an uploaded file is, read from its bytes by {@link MediaInspector}.
 *
 * @param contentType the sniffed type (never the client's claim); {@code application/octet-stream}
 *     when unknown, and for HTML, SVG and any other markup, so it is never served as a document
 * @param width width as displayed (after EXIF orientation), for images whose header could be read
 * @param height height as displayed (after EXIF orientation)
 * @param thumbnail a JPEG preview, for JPEG, PNG, GIF and WebP images that decoded cleanly
 */
public record MediaFacts(String contentType, OptionalInt width, OptionalInt height, Optional<Thumbnail> thumbnail) {}
