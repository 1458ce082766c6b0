package dev.parley.edge.media;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import dev.parley.schema.HistoryTables;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The media tables of migrations V002 and V006: {@code media} (one row per upload, written by the
 * edge before the upload is answered), {@code media_uses} (one row per message referencing it,
 * written and deleted by the Cassandra sink; {@code media_references} holds those written before
 * V006), {@code media_unreferenced} (uploads by UTC day, what the orphan sweep reads) and {@code
 * media_releases} (media whose message was deleted or expires, by UTC day, written by the sink).
 * Blocking calls: run on worker threads.
 */
public final class MediaCatalog {

    static final DateTimeFormatter DAY = HistoryTables.DAY;
    /** Conversations of one media the read check looks at; a media shared in more is rare and still readable by its uploader. */
    static final int MAX_REFERENCES_CHECKED = 200;

    private final CqlSession session;
    private final PreparedStatement insert;
    private final PreparedStatement insertUnreferenced;
    private final PreparedStatement select;
    private final PreparedStatement uses;
    private final PreparedStatement references;
    private final PreparedStatement isUsed;
    private final PreparedStatement isReferenced;
    private final PreparedStatement releasesOfDay;
    private final PreparedStatement deleteRelease;
    private final PreparedStatement unreferencedOfDay;
    private final PreparedStatement deleteMedia;
    private final PreparedStatement deleteUnreferenced;

    public MediaCatalog(CqlSession session) {
        this.session = session;
        insert = session.prepare("INSERT INTO media (media_id, uploader, content_type, size, sha256, filename, width,"
                + " height, thumbnail_key, thumbnail_width, thumbnail_height, created_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        insertUnreferenced =
                session.prepare("INSERT INTO media_unreferenced (day, created_at, media_id) VALUES (?, ?, ?)");
        select = session.prepare("SELECT media_id, uploader, content_type, size, sha256, filename, width, height,"
                + " thumbnail_key, thumbnail_width, thumbnail_height, created_at FROM media WHERE media_id = ?");
        references = session.prepare(
                "SELECT conversation_id FROM media_references WHERE media_id = ? LIMIT " + MAX_REFERENCES_CHECKED);
        isReferenced = session.prepare("SELECT conversation_id FROM media_references WHERE media_id = ? LIMIT 1");
        // per message since V006; media_references above holds the references written before
        uses = session.prepare(
                "SELECT conversation_id FROM media_uses WHERE media_id = ? LIMIT " + MAX_REFERENCES_CHECKED);
        isUsed = session.prepare("SELECT conversation_id FROM media_uses WHERE media_id = ? LIMIT 1");
        releasesOfDay =
                session.prepare("SELECT due_at, media_id FROM media_releases WHERE day = ? AND due_at <= ? LIMIT ?");
        deleteRelease = session.prepare("DELETE FROM media_releases WHERE day = ? AND due_at = ? AND media_id = ?");
        unreferencedOfDay = session.prepare(
                "SELECT created_at, media_id FROM media_unreferenced WHERE day = ? AND created_at < ? LIMIT ?");
        deleteMedia = session.prepare("DELETE FROM media WHERE media_id = ?");
        deleteUnreferenced =
                session.prepare("DELETE FROM media_unreferenced WHERE day = ? AND created_at = ? AND media_id = ?");
    }

    public void insert(MediaRecord m) {
        session.execute(insert.bind(
                m.mediaId(),
                m.uploader(),
                m.contentType(),
                m.size(),
                m.sha256(),
                m.filename(),
                m.width(),
                m.height(),
                m.thumbnailKey(),
                m.thumbnailWidth(),
                m.thumbnailHeight(),
                m.createdAt()));
        session.execute(insertUnreferenced.bind(DAY.format(m.createdAt()), m.createdAt(), m.mediaId()));
    }

    public Optional<MediaRecord> find(String mediaId) {
        Row r = session.execute(select.bind(mediaId)).one();
        if (r == null) {
            return Optional.empty();
        }
        return Optional.of(new MediaRecord(
                r.getString(0),
                r.getString(1),
                r.getString(2),
                r.getLong(3),
                r.getString(4),
                r.getString(5),
                r.isNull(6) ? null : r.getInt(6),
                r.isNull(7) ? null : r.getInt(7),
                r.getString(8),
                r.isNull(9) ? null : r.getInt(9),
                r.isNull(10) ? null : r.getInt(10),
                r.getInstant(11)));
    }

    /** Conversations where a message referencing the media was posted (at most {@value #MAX_REFERENCES_CHECKED}). */
    public List<String> referencingConversations(String mediaId) {
        Set<String> out = new LinkedHashSet<>(); // several messages of one conversation: one entry
        for (Row r : session.execute(uses.bind(mediaId))) {
            out.add(r.getString(0));
        }
        for (Row r : session.execute(references.bind(mediaId))) {
            if (out.size() >= MAX_REFERENCES_CHECKED) {
                break;
            }
            out.add(r.getString(0));
        }
        return new ArrayList<>(out);
    }

    /**
     * Whether a message still references the media: a {@code media_uses} row (deleted with its
     * message, expiring with it), or a {@code media_references} row written before V006 (those never
     * knew their message, so they count as long as they exist: keeping a media too long is the safe
     * side of not knowing).
     */
    public boolean isReferenced(String mediaId) {
        return session.execute(isUsed.bind(mediaId)).one() != null
                || session.execute(isReferenced.bind(mediaId)).one() != null;
    }

    /** An entry of {@code media_releases}: the media may have lost its last reference at {@code dueAt}. */
    public record Release(String day, Instant dueAt, String mediaId) {}

    /** Releases of UTC {@code day} due at or before {@code now}, at most {@code limit}. */
    public List<Release> releases(String day, Instant now, int limit) {
        List<Release> out = new ArrayList<>();
        for (Row r : session.execute(releasesOfDay.bind(day, now, limit))) {
            out.add(new Release(day, r.getInstant(0), r.getString(1)));
        }
        return out;
    }

    /** The release is done with: the media was deleted, or is referenced again. */
    public void forget(Release r) {
        session.execute(deleteRelease.bind(r.day(), r.dueAt(), r.mediaId()));
    }

    /** An entry of {@code media_unreferenced}. */
    public record Pending(String day, Instant createdAt, String mediaId) {}

    /** Uploads of UTC {@code day} made before {@code before}, at most {@code limit}. */
    public List<Pending> unreferenced(String day, Instant before, int limit) {
        List<Pending> out = new ArrayList<>();
        for (Row r : session.execute(unreferencedOfDay.bind(day, before, limit))) {
            out.add(new Pending(day, r.getInstant(0), r.getString(1)));
        }
        return out;
    }

    /** The entry is done with: the media was referenced, or it was deleted. */
    public void forget(Pending p) {
        session.execute(deleteUnreferenced.bind(p.day(), p.createdAt(), p.mediaId()));
    }

    public void delete(String mediaId) {
        session.execute(deleteMedia.bind(mediaId));
    }
}
