package dev.parley.edge.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.edge.ApiException;
import dev.parley.edge.history.HistoryReader;
import dev.parley.edge.media.MediaIds;
import dev.parley.edge.media.MediaLibrary;
import dev.parley.edge.media.MediaRecord;
import dev.parley.edge.presence.RateLimiters;
import dev.parley.schema.ErrorCode;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.form.FormData;
import io.undertow.server.handlers.form.FormDataParser;
import io.undertow.server.handlers.form.MultiPartParserDefinition;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.PathTemplateMatch;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Deque;
import java.util.Locale;
import java.util.Optional;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * {@code POST /v1/media} and {@code GET /v1/media/{id}[/thumbnail]} (DESIGN 7.1).
 *
 * <p>Upload: the body is the file ({@code ?filename=}) or {@code multipart/form-data} with one
 * {@code file} part. It is spooled to a file in {@code media.spool.dir}, never held in heap, and
 * reading stops at {@code media.max.bytes}: a declared Content-Length above it is refused before a
 * byte is read, a chunked body as soon as it crosses it (413, connection closed rather than
 * drained). The spool file is deleted whatever happens. The type is sniffed from the bytes.
 *
 * <p>Download: the uploader, or a current member of a conversation where a message referencing the
 * media was posted; anyone else, and every id that names nothing, gets the same 404. Bytes stream
 * from the store (a single Range gives 206, one past the end 416), with {@code ETag} (the sha256),
 * {@code If-None-Match} (304) and headers that keep an uploaded HTML or SVG file from ever running
 * in the app's origin: {@code nosniff}, {@code Content-Security-Policy: sandbox} and, for anything
 * but images, audio and video, {@code Content-Disposition: attachment}.
 */
public final class MediaEndpoints {

    /** Room for the multipart framing around the file part (boundaries, part headers). */
    private static final long MULTIPART_OVERHEAD_BYTES = 64 * 1024;

    private static final HttpString CSP = new HttpString("Content-Security-Policy");
    private static final HttpString NOSNIFF = new HttpString("X-Content-Type-Options");

    private final MediaLibrary library;
    private final HistoryReader history;
    private final RateLimiters limits;
    private final JsonExchange io;
    private final long maxBytes;
    private final Path spoolDir;
    private final boolean redirect;
    private final Duration redirectTtl;

    public MediaEndpoints(
            MediaLibrary library,
            HistoryReader history,
            RateLimiters limits,
            JsonExchange io,
            long maxBytes,
            Path spoolDir,
            boolean redirect,
            Duration redirectTtl) {
        this.library = library;
        this.history = history;
        this.limits = limits;
        this.io = io;
        this.maxBytes = maxBytes;
        this.spoolDir = spoolDir;
        this.redirect = redirect;
        this.redirectTtl = redirectTtl;
    }

    /** {@code POST /v1/media}: 201 with the upload's JSON. */
    public void upload(HttpServerExchange exchange, String userId) throws IOException {
        limits.acquire(RateLimiters.Action.MEDIA, userId);
        library.quota().requireRoom(userId);
        long declared = exchange.getRequestContentLength();
        String type = exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE);
        boolean multipart =
                type != null && type.toLowerCase(Locale.ROOT).startsWith(MultiPartParserDefinition.MULTIPART_FORM_DATA);
        if (declared > maxBytes + (multipart ? MULTIPART_OVERHEAD_BYTES : 0)) {
            throw tooLarge(exchange);
        }
        if (declared == 0) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "the body is empty: send the file as the body");
        }
        // Undertow's own bound (its default would refuse large files): one byte past ours, so the
        // count in copyAtMost, not Undertow, decides
        exchange.setMaxEntitySize(maxBytes + 1 + (multipart ? MULTIPART_OVERHEAD_BYTES : 0));
        exchange.startBlocking();
        MediaRecord stored = multipart ? uploadMultipart(exchange, userId) : uploadRaw(exchange, userId);
        io.send(exchange, 201, uploadJson(io, stored));
    }

    private MediaRecord uploadRaw(HttpServerExchange exchange, String userId) throws IOException {
        Path spool = Files.createTempFile(spoolDir, "upload-", ".part");
        try {
            long size;
            try (InputStream in = exchange.getInputStream();
                    OutputStream out = Files.newOutputStream(spool)) {
                size = copyAtMost(in, out, maxBytes, exchange);
            }
            if (size == 0) {
                throw new ApiException(ErrorCode.BAD_REQUEST, "the body is empty: send the file as the body");
            }
            return library.store(spool, userId, queryParameter(exchange, "filename"));
        } finally {
            Files.deleteIfExists(spool);
        }
    }

    private MediaRecord uploadMultipart(HttpServerExchange exchange, String userId) throws IOException {
        MultiPartParserDefinition definition = new MultiPartParserDefinition(spoolDir);
        definition.setMaxIndividualFileSize(maxBytes);
        definition.setFileSizeThreshold(0); // every file part on disk
        definition.setFieldSizeThreshold(8 * 1024); // a big part without a filename too
        try (FormDataParser parser = definition.create(exchange)) {
            FormData form;
            try {
                form = parser.parseBlocking();
            } catch (MultiPartParserDefinition.FileTooLargeException e) {
                throw tooLarge(exchange);
            } catch (IOException e) {
                if (e.getClass().getSimpleName().equals("RequestTooBigException")) {
                    throw tooLarge(exchange);
                }
                exchange.setPersistent(false);
                throw new ApiException(ErrorCode.BAD_REQUEST, "malformed multipart/form-data body");
            }
            Deque<FormData.FormValue> files = form.get("file");
            if (files == null || files.size() != 1 || !files.getFirst().isFileItem()) {
                throw new ApiException(
                        ErrorCode.BAD_REQUEST, "a multipart upload must hold exactly one file part named \"file\"");
            }
            FormData.FormValue file = files.getFirst();
            if (file.getFileItem().isInMemory()) {
                throw new ApiException(ErrorCode.BAD_REQUEST, "the file part is empty");
            }
            return library.store(file.getFileItem().getFile(), userId, file.getFileName());
        }
    }

    /** Copies until the end or one byte past {@code max} (then 413: nothing more is read). */
    private long copyAtMost(InputStream in, OutputStream out, long max, HttpServerExchange exchange)
            throws IOException {
        byte[] buf = new byte[64 * 1024];
        long total = 0;
        for (int n; (n = read(in, buf, exchange)) > 0; ) {
            total += n;
            if (total > max) {
                throw tooLarge(exchange);
            }
            out.write(buf, 0, n);
        }
        return total;
    }

    /** A read of the client's body; its failure (the client went away, a reset) is the client's. */
    private int read(InputStream in, byte[] buf, HttpServerExchange exchange) {
        try {
            return in.read(buf);
        } catch (IOException e) {
            if (e.getClass().getSimpleName().equals("RequestTooBigException")) {
                throw tooLarge(exchange);
            }
            exchange.setPersistent(false);
            throw new ApiException(ErrorCode.BAD_REQUEST, "the upload was interrupted: " + e.getMessage());
        }
    }

    private ApiException tooLarge(HttpServerExchange exchange) {
        // the rest of the body is not read: the connection closes after the answer instead of draining it
        exchange.setPersistent(false);
        return new ApiException(
                ErrorCode.TOO_LARGE, "a file may have at most " + maxBytes + " bytes (media.max.bytes)");
    }

    /** The JSON answer of an upload (DESIGN 7.1), also what GET /v1/uploads/{id} returns once done. */
    public static ObjectNode uploadJson(JsonExchange io, MediaRecord m) {
        ObjectNode out = io.json()
                .createObjectNode()
                .put("media_id", m.mediaId())
                .put("content_type", m.contentType())
                .put("size", m.size())
                .put("sha256", m.sha256())
                .put("filename", m.filename());
        if (m.width() != null) {
            out.put("width", m.width());
        }
        if (m.height() != null) {
            out.put("height", m.height());
        }
        if (m.thumbnailKey() != null) {
            out.putObject("thumbnail").put("width", m.thumbnailWidth()).put("height", m.thumbnailHeight());
        }
        return out;
    }

    /** {@code GET /v1/media/{id}}. */
    public void download(HttpServerExchange exchange, String userId) throws IOException {
        limits.acquire(RateLimiters.Action.READS, userId);
        MediaRecord m = readable(exchange, userId);
        String etag = "\"" + m.sha256() + "\"";
        safetyHeaders(exchange, m, etag);
        if (matches(exchange.getRequestHeaders().getFirst(Headers.IF_NONE_MATCH), etag)) {
            exchange.setStatusCode(304);
            exchange.endExchange();
            return;
        }
        String disposition = disposition(m);
        if (redirect) {
            exchange.getResponseHeaders()
                    .put(
                            Headers.LOCATION,
                            library.store()
                                    .presignGet(MediaRecord.objectKey(m.mediaId()), redirectTtl, disposition)
                                    .toString());
            exchange.setStatusCode(302);
            exchange.endExchange();
            return;
        }
        exchange.getResponseHeaders().put(Headers.ACCEPT_RANGES, "bytes");
        long[] range = range(exchange.getRequestHeaders().getFirst(Headers.RANGE), m.size());
        if (range == UNSATISFIABLE) {
            exchange.getResponseHeaders().put(Headers.CONTENT_RANGE, "bytes */" + m.size());
            io.error(exchange, 416, "range_not_satisfiable", "the range starts past the end (" + m.size() + " bytes)");
            return;
        }
        if (range != null) {
            exchange.setStatusCode(206);
            exchange.getResponseHeaders()
                    .put(Headers.CONTENT_RANGE, "bytes " + range[0] + "-" + range[1] + "/" + m.size());
        }
        stream(
                exchange,
                MediaRecord.objectKey(m.mediaId()),
                range == null ? null : range[0],
                range == null ? null : range[1],
                range == null ? m.size() : range[1] - range[0] + 1,
                m.contentType());
    }

    /** {@code GET /v1/media/{id}/thumbnail}: 404 for a media without one (video, files, broken images). */
    public void thumbnail(HttpServerExchange exchange, String userId) throws IOException {
        limits.acquire(RateLimiters.Action.READS, userId);
        MediaRecord m = readable(exchange, userId);
        if (m.thumbnailKey() == null) {
            throw new ApiException(ErrorCode.NOT_FOUND, "this media has no thumbnail");
        }
        String etag = "\"" + m.sha256() + "-thumbnail\"";
        safetyHeaders(exchange, m, etag);
        exchange.getResponseHeaders().put(Headers.CONTENT_DISPOSITION, "inline");
        if (matches(exchange.getRequestHeaders().getFirst(Headers.IF_NONE_MATCH), etag)) {
            exchange.setStatusCode(304);
            exchange.endExchange();
            return;
        }
        stream(exchange, m.thumbnailKey(), null, null, -1, "image/jpeg");
    }

    private void stream(HttpServerExchange exchange, String key, Long first, Long last, long length, String contentType)
            throws IOException {
        ResponseInputStream<GetObjectResponse> in;
        try {
            in = library.store().get(key, first, last);
        } catch (NoSuchKeyException e) {
            // a row whose object was swept or never finished: nothing to serve
            throw new ApiException(ErrorCode.NOT_FOUND, "no such media");
        }
        try (in) {
            exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, contentType);
            long size = length >= 0 ? length : in.response().contentLength();
            exchange.setResponseContentLength(size);
            exchange.startBlocking();
            OutputStream out = exchange.getOutputStream();
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) > 0; ) {
                try {
                    out.write(buf, 0, n);
                } catch (IOException e) {
                    // the client went away (a player seeking closes its request): nothing to answer
                    exchange.setPersistent(false);
                    in.abort();
                    return;
                }
            }
            try {
                out.close();
            } catch (IOException e) {
                exchange.setPersistent(false); // the client went away before the last bytes
            }
        }
    }

    /** The media {@code userId} may read, else 404 (the same for missing and forbidden). */
    private MediaRecord readable(HttpServerExchange exchange, String userId) {
        String id = exchange.getAttachment(PathTemplateMatch.ATTACHMENT_KEY)
                .getParameters()
                .get("id");
        ApiException notFound = new ApiException(ErrorCode.NOT_FOUND, "no such media");
        if (!MediaIds.isWellFormed(id)) {
            throw notFound;
        }
        Optional<MediaRecord> found = library.catalog().find(id);
        if (found.isEmpty()) {
            throw notFound;
        }
        MediaRecord m = found.get();
        if (m.uploader().equals(userId)) {
            return m;
        }
        for (String conversation : library.catalog().referencingConversations(id)) {
            if (history.isMember(conversation, userId)) {
                return m;
            }
        }
        throw notFound;
    }

    private static void safetyHeaders(HttpServerExchange exchange, MediaRecord m, String etag) {
        exchange.getResponseHeaders()
                .put(Headers.ETAG, etag)
                // per user: a shared cache must not serve it to someone the edge would refuse
                .put(Headers.CACHE_CONTROL, "private, max-age=3600")
                .put(NOSNIFF, "nosniff")
                .put(CSP, "sandbox")
                .put(Headers.CONTENT_DISPOSITION, disposition(m));
    }

    private static String disposition(MediaRecord m) {
        String encoded = URLEncoder.encode(m.filename(), StandardCharsets.UTF_8).replace("+", "%20");
        String ascii = m.filename().replaceAll("[^\\x20-\\x7e]|[\"\\\\]", "_");
        return (m.isInline() ? "inline" : "attachment") + "; filename=\"" + ascii + "\"; filename*=UTF-8''" + encoded;
    }

    private static boolean matches(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null) {
            return false;
        }
        for (String candidate : ifNoneMatch.split(",")) {
            String c = candidate.strip();
            if (c.equals("*") || c.equals(etag) || c.equals("W/" + etag)) {
                return true;
            }
        }
        return false;
    }

    private static final long[] UNSATISFIABLE = new long[0];

    /**
     * A single byte range {@code bytes=a-b}, {@code bytes=a-} or {@code bytes=-n} clamped to the size;
     * null for none, or anything else (several ranges, other units, garbage), which RFC 9110 lets a
     * server answer with the whole object; {@link #UNSATISFIABLE} when it starts past the end.
     */
    static long[] range(String header, long size) {
        if (header == null || !header.startsWith("bytes=") || header.indexOf(',') >= 0) {
            return null;
        }
        String spec = header.substring(6).strip();
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return null;
        }
        try {
            String a = spec.substring(0, dash).strip();
            String b = spec.substring(dash + 1).strip();
            if (a.isEmpty()) {
                long suffix = Long.parseLong(b);
                if (suffix <= 0) {
                    return UNSATISFIABLE;
                }
                return new long[] {Math.max(0, size - suffix), size - 1};
            }
            long first = Long.parseLong(a);
            if (first >= size) {
                return UNSATISFIABLE;
            }
            long last = b.isEmpty() ? size - 1 : Long.parseLong(b);
            if (first < 0 || last < first) {
                return null;
            }
            return new long[] {first, Math.min(last, size - 1)};
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String queryParameter(HttpServerExchange exchange, String name) {
        Deque<String> values = exchange.getQueryParameters().get(name);
        return values == null || values.isEmpty() ? null : values.getFirst();
    }
}
