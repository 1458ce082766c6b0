package dev.parley.edge.media;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.edge.ApiException;
import dev.parley.schema.ErrorCode;
import dev.parley.schema.MediaDescriptor;
import dev.parley.schema.MediaDescriptors;
import dev.parley.schema.MediaThumbnail;
import dev.parley.schema.RedisCircuitBreaker;
import dev.parley.schema.RedisKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.PipelineBase;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.SetParams;

/**
 * Turns the media ids of a {@code send} into descriptors, for the gateway of both transports.
 * Ownership is checked from the ids alone ({@link MediaIds}: no read); the descriptors come from
 * Redis, where the edge that stored an upload put them (TTL {@code media.descriptor.cache.seconds}),
 * and only a miss (expired, Redis down or flushed) reads the {@code media} table once per id. So the
 * usual send costs one Redis MGET and no Cassandra read.
 */
public final class MediaAttachments {

    private static final Logger log = LoggerFactory.getLogger(MediaAttachments.class);

    private final MediaIds ids;
    private final MediaCatalog catalog;
    private final UnifiedJedis redis;
    private final RedisCircuitBreaker breaker;
    private final RedisKeys keys;
    private final long cacheSeconds;

    public MediaAttachments(
            MediaIds ids,
            MediaCatalog catalog,
            UnifiedJedis redis,
            RedisCircuitBreaker breaker,
            RedisKeys keys,
            long cacheSeconds) {
        this.ids = ids;
        this.catalog = catalog;
        this.redis = redis;
        this.breaker = breaker;
        this.keys = keys;
        this.cacheSeconds = cacheSeconds;
    }

    /** Puts a freshly stored media's descriptor where send finds it. */
    public void remember(MediaRecord m) {
        try {
            breaker.run(() -> redis.set(
                    keys.mediaDescriptor(m.mediaId()),
                    MediaDescriptors.toText(m.descriptor()),
                    SetParams.setParams().ex(cacheSeconds)));
        } catch (RuntimeException e) {
            // send falls back to the table
            log.warn(
                    "caching the descriptor of {} failed (send reads Cassandra instead): {}",
                    m.mediaId(),
                    e.toString());
        }
    }

    /**
     * The descriptors of {@code mediaIds} in their order.
     *
     * The count and repetition of the ids are the gateway's to check, before the sender's token
     * ({@code CommandGateway.checkMessage}).
     *
     * @throws ApiException {@code bad_request} for an id the sender did not upload (forged, someone
     *     else's) or one no longer stored
     */
    public List<MediaDescriptor> resolve(String sender, List<String> mediaIds) {
        for (String id : mediaIds) {
            if (!ids.isOwnedBy(id, sender)) {
                // forged and foreign ids read the same: whether an id exists is not revealed
                throw new ApiException(ErrorCode.BAD_REQUEST, "media " + abbreviate(id) + " is not an upload of yours");
            }
        }
        List<String> cached = cached(mediaIds);
        List<MediaDescriptor> out = new ArrayList<>(mediaIds.size());
        for (int i = 0; i < mediaIds.size(); i++) {
            String text = cached.get(i);
            MediaDescriptor d = text == null ? null : fromJson(MediaDescriptors.parse(text));
            if (d == null) {
                String id = mediaIds.get(i);
                Optional<MediaRecord> stored = catalog.find(id);
                if (stored.isEmpty()) {
                    throw new ApiException(
                            ErrorCode.BAD_REQUEST, "media " + abbreviate(id) + " is no longer stored: upload it again");
                }
                remember(stored.get());
                d = stored.get().descriptor();
            }
            out.add(d);
        }
        return out;
    }

    private List<String> cached(List<String> mediaIds) {
        List<String> none = new ArrayList<>();
        mediaIds.forEach(id -> none.add(null));
        if (mediaIds.isEmpty()) {
            return none;
        }
        try {
            // a pipeline of GETs, not MGET: the descriptors of one message lie in different slots
            // of a Redis Cluster, and a cluster pipeline sends each GET to the node holding it
            return breaker.call(() -> {
                List<Response<String>> replies = new ArrayList<>(mediaIds.size());
                try (PipelineBase p = redis.pipelined()) {
                    mediaIds.forEach(id -> replies.add(p.get(keys.mediaDescriptor(id))));
                    p.sync();
                }
                return replies.stream().map(Response::get).toList();
            });
        } catch (RuntimeException e) {
            return none; // Redis down: the table answers
        }
    }

    static MediaDescriptor fromJson(JsonNode n) {
        if (!n.hasNonNull("media_id") || !n.hasNonNull("content_type") || !n.hasNonNull("size")) {
            return null;
        }
        JsonNode t = n.get("thumbnail");
        return new MediaDescriptor(
                n.get("media_id").asText(),
                n.get("content_type").asText(),
                n.get("size").asLong(),
                n.path("filename").asText(""),
                n.hasNonNull("width") ? n.get("width").asInt() : null,
                n.hasNonNull("height") ? n.get("height").asInt() : null,
                t == null || t.isNull()
                        ? null
                        : new MediaThumbnail(
                                t.path("width").asInt(), t.path("height").asInt()));
    }

    private static String abbreviate(String id) {
        return id.length() > 48 ? id.substring(0, 48) + "…" : id;
    }
}
