package dev.parley.edge.media;

import java.util.Optional;
import java.util.OptionalInt;

/** What an uploaded file is, read from its bytes: the sniffed type, an image's size and thumbnail. */
public record MediaFacts(String contentType, OptionalInt width, OptionalInt height, Optional<Thumbnail> thumbnail) {}
