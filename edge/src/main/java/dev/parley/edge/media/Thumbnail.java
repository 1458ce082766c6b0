package dev.parley.edge.media;

/**
 * A preview of an image: JPEG bytes without any metadata, longest side at most {@value
 * MediaInspector#THUMBNAIL_MAX_SIDE} px, EXIF orientation already applied to the pixels.
 */
public record Thumbnail(byte[] jpeg, int width, int height) {}
