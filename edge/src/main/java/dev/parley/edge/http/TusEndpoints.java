package dev.parley.edge.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.edge.ApiException;
import dev.parley.edge.media.MediaLibrary;
import dev.parley.edge.media.MediaRecord;
import dev.parley.edge.presence.RateLimiters;
import dev.parley.schema.ErrorCode;
import dev.parley.schema.RedisKeys;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.PathTemplateMatch;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.SetParams;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * Resumable uploads, the tus 1.0 protocol (core, creation, termination, expiration) under {@code
 * /v1/uploads}, mapped onto an S3 multipart upload: {@code POST} starts one (its state, owner and
 * offset in Redis, TTL {@code media.orphan.ttl.seconds}: the {@code Upload-Expires} time), each
 * {@code PATCH} appends to a part buffer on this edge's disk ({@code media.spool.dir}) and every
 * time it holds {@code media.s3.part.bytes} that part goes to S3; the {@code PATCH} that reaches
 * {@code Upload-Length} sends the last part, completes the multipart upload and stores the result
 * as {@code POST /v1/media} would ({@link MediaLibrary}: type sniffed, thumbnail, hash, quota),
 * answering 204 with {@code Parley-Media-Id}. An upload is its creator's: anyone else gets 404.
 *
 * <p>The offset a client resumes from ({@code HEAD}) is what is safe: bytes of a {@code PATCH} that
 * broke off are kept up to where they arrived. The part buffer is this edge's file, so a resumed
 * upload must reach the same edge (sticky routing by upload id); another edge answers 404.
 */
public final class TusEndpoints {

    static final String VERSION = "1.0.0";
    private static final HttpString TUS_RESUMABLE = new HttpString("Tus-Resumable");
    private static final HttpString TUS_VERSION = new HttpString("Tus-Version");
    private static final HttpString TUS_EXTENSION = new HttpString("Tus-Extension");
    private static final HttpString TUS_MAX_SIZE = new HttpString("Tus-Max-Size");
    private static final HttpString UPLOAD_OFFSET = new HttpString("Upload-Offset");
    private static final HttpString UPLOAD_LENGTH = new HttpString("Upload-Length");
    private static final HttpString UPLOAD_METADATA = new HttpString("Upload-Metadata");
    private static final HttpString UPLOAD_EXPIRES = new HttpString("Upload-Expires");
    private static final HttpString MEDIA_ID = new HttpString("Parley-Media-Id");
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

    private final MediaLibrary library;
    private final UnifiedJedis redis;
    private final RedisKeys keys;
    private final RateLimiters limits;
    private final JsonExchange io;
    private final long maxBytes;
    private final long partBytes;
    private final Path spoolDir;
    private final Duration expiry;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    /** One PATCH at a time per upload on this edge (a second is 409: its offset could not be right). */
    private final ConcurrentHashMap<String, ReentrantLock> busy = new ConcurrentHashMap<>();

    public TusEndpoints(
            MediaLibrary library,
            UnifiedJedis redis,
            RedisKeys keys,
            RateLimiters limits,
            JsonExchange io,
            long maxBytes,
            long partBytes,
            Path spoolDir,
            Duration expiry,
            Clock clock) {
        this.library = library;
        this.redis = redis;
        this.keys = keys;
        this.limits = limits;
        this.io = io;
        this.maxBytes = maxBytes;
        this.partBytes = partBytes;
        this.spoolDir = spoolDir;
        this.expiry = expiry;
        this.clock = clock;
    }

    /** {@code OPTIONS /v1/uploads}: what this server speaks (tus discovery; no authentication needed). */
    public void options(HttpServerExchange exchange, String userId) {
        exchange.getResponseHeaders()
                .put(TUS_RESUMABLE, VERSION)
                .put(TUS_VERSION, VERSION)
                .put(TUS_EXTENSION, "creation,termination,expiration")
                .put(TUS_MAX_SIZE, Long.toString(maxBytes));
        exchange.setStatusCode(204);
        exchange.endExchange();
    }

    /** {@code POST /v1/uploads} with {@code Upload-Length}: 201 and the upload's {@code Location}. */
    public void create(HttpServerExchange exchange, String userId) {
        requireVersion(exchange);
        long length = number(exchange.getRequestHeaders().getFirst(UPLOAD_LENGTH), "Upload-Length");
        if (length < 1) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "Upload-Length must be at least 1");
        }
        if (length > maxBytes) {
            throw new ApiException(
                    ErrorCode.TOO_LARGE, "a file may have at most " + maxBytes + " bytes (media.max.bytes)");
        }
        limits.acquire(RateLimiters.Action.MEDIA, userId);
        library.quota().requireRoom(userId);
        byte[] idBytes = new byte[16];
        random.nextBytes(idBytes);
        String id = "u_" + Base64.getUrlEncoder().withoutPadding().encodeToString(idBytes);
        ObjectNode state = io.json()
                .createObjectNode()
                .put("owner", userId)
                .put("length", length)
                .put("offset", 0L)
                .put("buffered", 0L)
                .put("filename", filename(exchange.getRequestHeaders().getFirst(UPLOAD_METADATA)))
                .put("s3_upload_id", library.store().startMultipart(objectKey(id), "application/octet-stream"))
                .put("expires", clock.instant().plus(expiry).toEpochMilli());
        state.putArray("parts");
        save(id, state);
        exchange.getResponseHeaders()
                .put(TUS_RESUMABLE, VERSION)
                .put(Headers.LOCATION, "/v1/uploads/" + id)
                .put(UPLOAD_EXPIRES, expires(state));
        exchange.setStatusCode(201);
        exchange.endExchange();
    }

    /** {@code HEAD /v1/uploads/{id}}: the offset to resume from. */
    public void head(HttpServerExchange exchange, String userId) {
        String id = id(exchange);
        limits.acquire(RateLimiters.Action.UPLOADS, userId);
        ObjectNode state = load(id, userId);
        exchange.getResponseHeaders()
                .put(TUS_RESUMABLE, VERSION)
                .put(UPLOAD_OFFSET, state.get("offset").asText())
                .put(UPLOAD_LENGTH, state.get("length").asText())
                .put(UPLOAD_EXPIRES, expires(state))
                .put(Headers.CACHE_CONTROL, "no-store");
        exchange.setStatusCode(200);
        exchange.endExchange();
    }

    /** {@code PATCH /v1/uploads/{id}}: appends at {@code Upload-Offset}; 204 with the new offset. */
    public void patch(HttpServerExchange exchange, String userId) throws IOException {
        requireVersion(exchange);
        String type = exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE);
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/offset+octet-stream")) {
            throw new ApiException(
                    ErrorCode.UNSUPPORTED_MEDIA_TYPE, "a PATCH must be sent as application/offset+octet-stream");
        }
        String id = id(exchange);
        // a PATCH per chunk: a bucket of its own, not the uploads started nor a chat page's reads
        limits.acquire(RateLimiters.Action.UPLOADS, userId);
        ReentrantLock lock = busy.computeIfAbsent(id, k -> new ReentrantLock());
        if (!lock.tryLock()) {
            throw new ApiException(ErrorCode.CONFLICT, "another PATCH of this upload is in progress");
        }
        try {
            ObjectNode state = load(id, userId);
            if (state.hasNonNull("media_id")) {
                throw new ApiException(ErrorCode.CONFLICT, "this upload is complete");
            }
            long offset = state.get("offset").asLong();
            long claimed = number(exchange.getRequestHeaders().getFirst(UPLOAD_OFFSET), "Upload-Offset");
            if (claimed != offset) {
                exchange.getResponseHeaders().put(UPLOAD_OFFSET, Long.toString(offset));
                throw new ApiException(
                        ErrorCode.CONFLICT, "Upload-Offset is " + claimed + " but the upload is at " + offset);
            }
            Path buffer = spoolDir.resolve("tus-" + id + ".part");
            if (state.get("buffered").asLong() > 0 && !Files.exists(buffer)) {
                // the part buffer lives on the edge that received the bytes
                throw new ApiException(ErrorCode.NOT_FOUND, "no such upload on this edge");
            }
            long length = state.get("length").asLong();
            exchange.setMaxEntitySize(length - offset + 1);
            exchange.startBlocking();
            try {
                append(exchange, id, state, buffer, length);
            } finally {
                save(id, state); // what arrived before a broken connection counts
            }
            exchange.getResponseHeaders()
                    .put(TUS_RESUMABLE, VERSION)
                    .put(UPLOAD_OFFSET, state.get("offset").asText())
                    .put(UPLOAD_EXPIRES, expires(state));
            if (state.get("offset").asLong() == length) {
                MediaRecord stored = complete(id, state, buffer, userId);
                state.put("media_id", stored.mediaId());
                save(id, state);
                exchange.getResponseHeaders().put(MEDIA_ID, stored.mediaId());
            }
            exchange.setStatusCode(204);
            exchange.endExchange();
        } finally {
            lock.unlock();
            busy.remove(id, lock);
        }
    }

    /** {@code GET /v1/uploads/{id}}: the {@code POST /v1/media} JSON once complete, else 409. */
    public void result(HttpServerExchange exchange, String userId) {
        String id = id(exchange);
        limits.acquire(RateLimiters.Action.UPLOADS, userId);
        ObjectNode state = load(id, userId);
        if (!state.hasNonNull("media_id")) {
            throw new ApiException(
                    ErrorCode.CONFLICT,
                    "the upload is at " + state.get("offset").asText() + " of "
                            + state.get("length").asText() + " bytes");
        }
        Optional<MediaRecord> m = library.catalog().find(state.get("media_id").asText());
        if (m.isEmpty()) {
            throw new ApiException(ErrorCode.NOT_FOUND, "no such upload");
        }
        io.send(exchange, 200, MediaEndpoints.uploadJson(io, m.get()));
    }

    /** {@code DELETE /v1/uploads/{id}} (termination): the parts and the state are gone; 204. */
    public void terminate(HttpServerExchange exchange, String userId) throws IOException {
        requireVersion(exchange);
        String id = id(exchange);
        limits.acquire(RateLimiters.Action.UPLOADS, userId);
        ObjectNode state = load(id, userId);
        if (!state.hasNonNull("media_id")) {
            library.store()
                    .abortMultipart(objectKey(id), state.get("s3_upload_id").asText());
        }
        Files.deleteIfExists(spoolDir.resolve("tus-" + id + ".part"));
        redis.del(keys.upload(id));
        exchange.getResponseHeaders().put(TUS_RESUMABLE, VERSION);
        exchange.setStatusCode(204);
        exchange.endExchange();
    }

    private void append(HttpServerExchange exchange, String id, ObjectNode state, Path buffer, long length)
            throws IOException {
        byte[] buf = new byte[64 * 1024];
        InputStream in = exchange.getInputStream();
        OutputStream out = Files.newOutputStream(buffer, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        try {
            while (true) {
                int n;
                try {
                    n = in.read(buf);
                } catch (IOException e) {
                    // the client went away: keep what arrived, it resumes from HEAD's offset
                    exchange.setPersistent(false);
                    out.flush();
                    return;
                }
                if (n < 0) {
                    return;
                }
                long offset = state.get("offset").asLong();
                if (offset + n > length) {
                    exchange.setPersistent(false);
                    throw new ApiException(ErrorCode.TOO_LARGE, "the PATCH goes past Upload-Length " + length);
                }
                out.write(buf, 0, n);
                state.put("offset", offset + n);
                long buffered = state.get("buffered").asLong() + n;
                state.put("buffered", buffered);
                if (buffered >= partBytes) {
                    out.close();
                    sendPart(id, state, buffer, buffered);
                    out = Files.newOutputStream(buffer, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                }
            }
        } finally {
            out.close();
        }
    }

    private void sendPart(String id, ObjectNode state, Path buffer, long size) throws IOException {
        ArrayNode parts = (ArrayNode) state.get("parts");
        CompletedPart part = library.store()
                .uploadPart(objectKey(id), state.get("s3_upload_id").asText(), parts.size() + 1, buffer, 0, size);
        parts.add(part.eTag());
        state.put("buffered", 0L);
        Files.delete(buffer);
        save(id, state);
    }

    /** The last part, the multipart completion, then the upload stored as POST /v1/media stores a body. */
    private MediaRecord complete(String id, ObjectNode state, Path buffer, String userId) throws IOException {
        long buffered = state.get("buffered").asLong();
        if (buffered > 0) {
            sendPart(id, state, buffer, buffered);
        }
        List<CompletedPart> parts = new ArrayList<>();
        int number = 1;
        for (JsonNode etag : state.get("parts")) {
            parts.add(CompletedPart.builder()
                    .partNumber(number++)
                    .eTag(etag.asText())
                    .build());
        }
        String key = objectKey(id);
        library.store().completeMultipart(key, state.get("s3_upload_id").asText(), parts);
        // the inspector reads (and may rewrite) the whole file, the hash covers it: fetch it back
        Path whole = Files.createTempFile(spoolDir, "tus-" + id, ".whole");
        try {
            try (ResponseInputStream<GetObjectResponse> in = library.store().get(key, null, null)) {
                Files.copy(in, whole, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            return library.store(whole, userId, state.get("filename").asText(null));
        } finally {
            Files.deleteIfExists(whole);
            library.store().delete(key);
        }
    }

    private ObjectNode load(String id, String userId) {
        String text = id == null || !id.startsWith("u_") || id.length() > 64 ? null : redis.get(keys.upload(id));
        if (text == null) {
            throw new ApiException(ErrorCode.NOT_FOUND, "no such upload");
        }
        try {
            ObjectNode state = (ObjectNode) io.json().readTree(text);
            if (!userId.equals(state.path("owner").asText())) {
                throw new ApiException(ErrorCode.NOT_FOUND, "no such upload"); // someone else's reads as missing
            }
            return state;
        } catch (IOException e) {
            throw new ApiException(ErrorCode.NOT_FOUND, "no such upload");
        }
    }

    private void save(String id, ObjectNode state) {
        long ttl = Math.max(1, (state.get("expires").asLong() - clock.millis()) / 1000);
        redis.set(keys.upload(id), state.toString(), SetParams.setParams().ex(ttl));
    }

    private static String objectKey(String uploadId) {
        return "uploads/" + uploadId;
    }

    private static String expires(ObjectNode state) {
        return HTTP_DATE.format(Instant.ofEpochMilli(state.get("expires").asLong()));
    }

    private static void requireVersion(HttpServerExchange exchange) {
        String version = exchange.getRequestHeaders().getFirst(TUS_RESUMABLE);
        if (!VERSION.equals(version)) {
            exchange.getResponseHeaders().put(TUS_VERSION, VERSION);
            throw new ApiException(ErrorCode.PRECONDITION_FAILED, "send Tus-Resumable: " + VERSION);
        }
    }

    private static long number(String text, String header) {
        if (text == null
                || text.isEmpty()
                || text.length() > 18
                || !text.chars().allMatch(Character::isDigit)) {
            throw new ApiException(ErrorCode.BAD_REQUEST, header + " must be a non-negative integer");
        }
        return Long.parseLong(text);
    }

    /** The {@code filename} of {@code Upload-Metadata} ("key base64,key base64"), or null. */
    static String filename(String metadata) {
        if (metadata == null) {
            return null;
        }
        for (String pair : metadata.split(",")) {
            String[] kv = pair.strip().split(" ", 2);
            if (kv.length == 2 && kv[0].equals("filename")) {
                try {
                    return new String(Base64.getDecoder().decode(kv[1].strip()), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    return null;
                }
            }
        }
        return null;
    }

    private static String id(HttpServerExchange exchange) {
        return exchange.getAttachment(PathTemplateMatch.ATTACHMENT_KEY)
                .getParameters()
                .get("id");
    }
}
