package dev.parley.edge.media;

import dev.parley.edge.EdgeSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * The media bytes on an S3 API store (AWS S3, MinIO, Ceph, S3Proxy) through the AWS SDK v2 sync
 * client. Files are put from disk, never from heap: a file up to {@code media.s3.part.bytes} in one
 * PUT, a larger one as a multipart upload whose parts are read from the file one at a time (an
 * aborted upload leaves no parts behind). Reads are streams of the object or of a byte range.
 *
 * <p>The client computes checksums only when an operation requires them: the default trailer
 * checksums of SDK 2.30+ are refused by S3Proxy and older MinIO (RUNTIME.md).
 */
public final class MediaStore implements AutoCloseable {

    private final S3Client s3;
    private final S3Presigner presigner;
    private final String bucket;
    private final long partBytes;

    public MediaStore(S3Client s3, S3Presigner presigner, String bucket, long partBytes) {
        this.s3 = s3;
        this.presigner = presigner;
        this.bucket = bucket;
        this.partBytes = partBytes;
    }

    /** The store the edge settings name ({@code media.s3.*}). */
    public static MediaStore open(EdgeSettings s) {
        StaticCredentialsProvider credentials = StaticCredentialsProvider.create(
                AwsBasicCredentials.create(s.getString(EdgeSettings.MEDIA_S3_ACCESS_KEY), s.mediaSecretKey()));
        Region region = Region.of(s.getString(EdgeSettings.MEDIA_S3_REGION));
        boolean pathStyle = s.getBoolean(EdgeSettings.MEDIA_S3_PATH_STYLE);
        String endpoint = s.getString(EdgeSettings.MEDIA_S3_ENDPOINT);
        var client = S3Client.builder()
                .httpClientBuilder(ApacheHttpClient.builder()
                        .maxConnections(Math.max(50, 2 * s.getInt(EdgeSettings.MEDIA_UPLOADS_MAX)))
                        .connectionTimeout(Duration.ofSeconds(5))
                        .socketTimeout(Duration.ofSeconds(60)))
                .credentialsProvider(credentials)
                .region(region)
                .forcePathStyle(pathStyle)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        var presign = S3Presigner.builder()
                .credentialsProvider(credentials)
                .region(region)
                .serviceConfiguration(S3Configuration.builder()
                        .pathStyleAccessEnabled(pathStyle)
                        .build());
        if (!endpoint.isBlank()) {
            client.endpointOverride(URI.create(endpoint));
            presign.endpointOverride(URI.create(endpoint));
        }
        return new MediaStore(
                client.build(),
                presign.build(),
                s.getString(EdgeSettings.MEDIA_S3_BUCKET),
                s.getInt(EdgeSettings.MEDIA_PART_BYTES));
    }

    public String bucket() {
        return bucket;
    }

    /** Creates the bucket unless it exists (the migrate step runs this on every start). */
    public boolean ensureBucket() {
        try {
            s3.headBucket(b -> b.bucket(bucket));
            return false;
        } catch (NoSuchBucketException e) {
            // created below
        } catch (S3Exception e) {
            if (e.statusCode() != 404) {
                throw e;
            }
        }
        try {
            s3.createBucket(b -> b.bucket(bucket));
            return true;
        } catch (BucketAlreadyOwnedByYouException e) {
            return false; // another migrate step made it in between
        }
    }

    /** Stores {@code file} ({@code size} bytes) under {@code key}; multipart above the part size. */
    public void put(String key, Path file, long size, String contentType) {
        if (size <= partBytes) {
            s3.putObject(
                    b -> b.bucket(bucket).key(key).contentType(contentType).contentLength(size),
                    RequestBody.fromFile(file));
            return;
        }
        String uploadId = startMultipart(key, contentType);
        try {
            List<CompletedPart> parts = new ArrayList<>();
            int number = 1;
            for (long offset = 0; offset < size; offset += partBytes, number++) {
                parts.add(uploadPart(key, uploadId, number, file, offset, Math.min(partBytes, size - offset)));
            }
            completeMultipart(key, uploadId, parts);
        } catch (RuntimeException e) {
            abortMultipart(key, uploadId);
            throw e;
        }
    }

    /** Stores a small object held in memory (a thumbnail, at most a few tens of KB). */
    public void put(String key, byte[] bytes, String contentType) {
        s3.putObject(b -> b.bucket(bucket).key(key).contentType(contentType), RequestBody.fromBytes(bytes));
    }

    public String startMultipart(String key, String contentType) {
        return s3.createMultipartUpload(b -> b.bucket(bucket).key(key).contentType(contentType))
                .uploadId();
    }

    /** Uploads {@code length} bytes of {@code file} from {@code offset} as part {@code number} (1-based). */
    public CompletedPart uploadPart(String key, String uploadId, int number, Path file, long offset, long length) {
        RequestBody body =
                RequestBody.fromContentProvider(() -> slice(file, offset, length), length, "application/octet-stream");
        String etag = s3.uploadPart(
                        b -> b.bucket(bucket)
                                .key(key)
                                .uploadId(uploadId)
                                .partNumber(number)
                                .contentLength(length),
                        body)
                .eTag();
        return CompletedPart.builder().partNumber(number).eTag(etag).build();
    }

    public void completeMultipart(String key, String uploadId, List<CompletedPart> parts) {
        s3.completeMultipartUpload(
                b -> b.bucket(bucket).key(key).uploadId(uploadId).multipartUpload(m -> m.parts(parts)));
    }

    public void abortMultipart(String key, String uploadId) {
        try {
            s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
        } catch (S3Exception e) {
            // already gone (completed or aborted by an earlier attempt): nothing left to clean
        }
    }

    /** The object, or bytes {@code first..last} of it (inclusive) when {@code first} is not null. */
    public ResponseInputStream<GetObjectResponse> get(String key, Long first, Long last) {
        GetObjectRequest.Builder request =
                GetObjectRequest.builder().bucket(bucket).key(key);
        if (first != null) {
            request.range("bytes=" + first + "-" + last);
        }
        return s3.getObject(request.build());
    }

    /** True when {@code key} exists. */
    public boolean exists(String key) {
        try {
            s3.headObject(b -> b.bucket(bucket).key(key));
            return true;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    public void delete(String key) {
        s3.deleteObject(b -> b.bucket(bucket).key(key));
    }

    /** A URL that GETs {@code key} without credentials until {@code ttl} has passed. */
    public URI presignGet(String key, Duration ttl, String contentDisposition) {
        return URI.create(presigner
                .presignGetObject(p -> p.signatureDuration(ttl).getObjectRequest(g -> {
                    g.bucket(bucket).key(key);
                    if (contentDisposition != null) {
                        g.responseContentDisposition(contentDisposition);
                    }
                }))
                .url()
                .toString());
    }

    private static InputStream slice(Path file, long offset, long length) {
        try {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
            channel.position(offset);
            return new BoundedInputStream(Channels.newInputStream(channel), length);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    @Override
    public void close() {
        presigner.close();
        s3.close();
    }

    /** At most {@code remaining} bytes of a stream; closing it closes the stream. */
    private static final class BoundedInputStream extends InputStream {
        private final InputStream in;
        private long remaining;

        BoundedInputStream(InputStream in, long remaining) {
            this.in = in;
            this.remaining = remaining;
        }

        @Override
        public int read() throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int b = in.read();
            if (b >= 0) {
                remaining--;
            }
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int n = in.read(buf, off, (int) Math.min(len, remaining));
            if (n > 0) {
                remaining -= n;
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
