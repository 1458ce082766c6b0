package dev.parley.edge.media;

import dev.parley.edge.ApiException;
import dev.parley.edge.ClientInput;
import dev.parley.schema.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores a file that arrived completely on disk (a spooled {@code POST /v1/media} body, a finished
 * tus upload): inspects it ({@link MediaInspector}: type from the bytes, dimensions, thumbnail),
 * hashes it, charges the uploader's daily quota, puts the original and thumbnail in the S3 store,
 * then writes the {@code media} row and caches the descriptor. The row is written last, so a crash
 * in between leaves at worst an object without a row (never a row without its object); an object
 * put before a failure is deleted again.
 */
public final class MediaLibrary {

    private static final Logger log = LoggerFactory.getLogger(MediaLibrary.class);

    private final MediaStore store;
    private final MediaCatalog catalog;
    private final MediaAttachments attachments;
    private final MediaInspector inspector;
    private final MediaIds ids;
    private final UploadQuota quota;
    private final Clock clock;

    public MediaLibrary(
            MediaStore store,
            MediaCatalog catalog,
            MediaAttachments attachments,
            MediaInspector inspector,
            MediaIds ids,
            UploadQuota quota,
            Clock clock) {
        this.store = store;
        this.catalog = catalog;
        this.attachments = attachments;
        this.inspector = inspector;
        this.ids = ids;
        this.quota = quota;
        this.clock = clock;
    }

    public MediaStore store() {
        return store;
    }

    public MediaCatalog catalog() {
        return catalog;
    }

    public UploadQuota quota() {
        return quota;
    }

    /**
     * Stores {@code file} as an upload of {@code uploader}.
     *
     * @throws ApiException {@code too_large} for an image over {@code media.max.pixels}, {@code
     *     rate_limited} past the daily quota, {@code bad_request} for an empty file
     */
    public MediaRecord store(Path file, String uploader, String filename) {
        MediaFacts facts;
        try {
            facts = inspector.inspect(file); // may rewrite the file (GPS strip): size and hash after it
        } catch (PixelBudgetExceeded e) {
            throw new ApiException(ErrorCode.TOO_LARGE, e.getMessage() + "; it was not stored");
        }
        long size = size(file);
        if (size == 0) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "the file is empty");
        }
        String sha256 = sha256(file);
        quota.charge(uploader, size);
        String mediaId = ids.mint(uploader);
        Optional<Thumbnail> thumbnail = facts.thumbnail();
        MediaRecord record = new MediaRecord(
                mediaId,
                uploader,
                facts.contentType(),
                size,
                sha256,
                ClientInput.filename(filename),
                facts.width().isPresent() ? facts.width().getAsInt() : null,
                facts.height().isPresent() ? facts.height().getAsInt() : null,
                thumbnail.isPresent() ? MediaRecord.thumbnailKey(mediaId) : null,
                thumbnail.map(Thumbnail::width).orElse(null),
                thumbnail.map(Thumbnail::height).orElse(null),
                clock.instant());
        boolean stored = false;
        try {
            store.put(MediaRecord.objectKey(mediaId), file, size, record.contentType());
            if (thumbnail.isPresent()) {
                store.put(record.thumbnailKey(), thumbnail.get().jpeg(), "image/jpeg");
            }
            catalog.insert(record);
            stored = true;
        } finally {
            if (!stored) {
                quota.refund(uploader, size);
                deleteQuietly(record);
            }
        }
        attachments.remember(record);
        return record;
    }

    /** Deletes the original and thumbnail of {@code record} (deleting a missing object succeeds). */
    public void deleteObjects(MediaRecord record) {
        store.delete(MediaRecord.objectKey(record.mediaId()));
        if (record.thumbnailKey() != null) {
            store.delete(record.thumbnailKey());
        }
    }

    /** After a failed upload: an object left behind has no row, so nothing can reach it. */
    private void deleteQuietly(MediaRecord record) {
        try {
            deleteObjects(record);
        } catch (RuntimeException e) {
            log.warn("deleting the objects of the failed upload {} failed: {}", record.mediaId(), e.toString());
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) > 0; ) {
                digest.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
