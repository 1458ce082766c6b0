package dev.parley.edge.media;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The media tables of migration V002: {@code media} (one row per upload, written by the edge before
 * the upload is answered), {@code media_references} (conversations where a message referencing it
 * was posted, written by the Cassandra sink) and {@code media_unreferenced} (uploads by UTC day, what
 * the orphan sweep reads). Blocking calls: run on worker threads.
 */
public final class MediaCatalog {

    static final DateTimeFormatter DAY = DateTimeFormatter.ISO_LOCAL_DATE.withZone(ZoneOffset.UTC);
    /** Conversations of one media the read check looks at; a media shared in more is rare and still readable by its uploader. */
    static final int MAX_REFERENCES_CHECKED = 200;

    private final CqlSession session;
    private final PreparedStatement insert;
    private final PreparedStatement insertUnreferenced;
    private final PreparedStatement select;
    private final PreparedStatement references;
    private final PreparedStatement isReferenced;
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
        List<String> out = new ArrayList<>();
        for (Row r : session.execute(references.bind(mediaId))) {
            out.add(r.getString(0));
        }
        return out;
    }

    public boolean isReferenced(String mediaId) {
        return session.execute(isReferenced.bind(mediaId)).one() != null;
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
