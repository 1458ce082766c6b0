package dev.parley.edge.media;

import dev.parley.schema.MediaDescriptor;
import dev.parley.schema.MediaThumbnail;
import java.time.Instant;

/** A stored upload: its row in the {@code media} table. Width, height and the thumbnail may be null. */
public record MediaRecord(
        String mediaId,
        String uploader,
        String contentType,
        long size,
        String sha256,
        String filename,
        Integer width,
        Integer height,
        String thumbnailKey,
        Integer thumbnailWidth,
        Integer thumbnailHeight,
        Instant createdAt) {

    /** Where the original is in the bucket. */
    public static String objectKey(String mediaId) {
        return "media/" + mediaId;
    }

    public static String thumbnailKey(String mediaId) {
        return "thumbnails/" + mediaId + ".jpg";
    }

    public MediaDescriptor descriptor() {
        return new MediaDescriptor(
                mediaId,
                contentType,
                size,
                filename,
                width,
                height,
                thumbnailKey == null ? null : new MediaThumbnail(thumbnailWidth, thumbnailHeight));
    }

    /** Images, audio and video are shown inline; anything else downloads (it may be HTML or SVG). */
    public boolean isInline() {
        return contentType.startsWith("image/") || contentType.startsWith("audio/") || contentType.startsWith("video/");
    }
}
