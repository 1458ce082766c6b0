package dev.parley.edge.media;

/** A JPEG preview of an image, longest side at most 320 px, without metadata. */
public record Thumbnail(byte[] jpeg, int width, int height) {}
