package dev.parley.edge;

import dev.parley.schema.RedisClients;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.types.Password;

/** Every setting of an edge, with production defaults. The README table lists them. */
public final class EdgeSettings extends AbstractConfig {

    public static final String EDGE_ID = "edge.id";
    public static final String HTTP_HOST = "http.host";
    public static final String HTTP_PORT = "http.port";
    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    public static final String REDIS_URL = "redis.url";
    public static final String REDIS_KEY_PREFIX = "redis.key.prefix";
    public static final String REDIS_TIMEOUT_MS = "redis.timeout.ms";
    public static final String REDIS_POOL_SIZE = "redis.pool.size";
    public static final String REDIS_BREAKER_FAILURES = "redis.breaker.failures";
    public static final String REDIS_BREAKER_OPEN_MS = "redis.breaker.open.ms";
    public static final String REDIS_FALLBACK_MAX_ENTRIES = "redis.fallback.max.entries";
    public static final String CASSANDRA_CONTACT_POINT = "cassandra.contact.point";
    public static final String CASSANDRA_DATACENTER = "cassandra.datacenter";
    public static final String CASSANDRA_KEYSPACE = "cassandra.keyspace";
    public static final String CASSANDRA_REPLICATION = "cassandra.replication";
    public static final String JWT_SECRET = "auth.jwt.secret";
    public static final String JWT_TTL_SECONDS = "auth.jwt.ttl.seconds";
    public static final String JWT_ISSUER = "auth.jwt.issuer";
    public static final String JWKS_URL = "auth.jwks.url";
    public static final String JWKS_ISSUER = "auth.jwks.issuer";
    public static final String JWKS_AUDIENCE = "auth.jwks.audience";
    // login, registration and device abuse limits (issue #14)
    public static final String PASSWORD_MIN_CHARS = "auth.password.min.chars";
    public static final String PASSWORD_MAX_BYTES = "auth.password.max.bytes";
    public static final String LOGIN_FAILURES_PER_ACCOUNT = "auth.login.max.failures.per.account";
    public static final String LOGIN_FAILURES_PER_ADDRESS = "auth.login.max.failures.per.address";
    public static final String LOGIN_FAILURE_WINDOW_SECONDS = "auth.login.failure.window.seconds";
    public static final String REGISTRATIONS_PER_ADDRESS = "auth.register.max.per.address";
    public static final String REGISTRATION_WINDOW_SECONDS = "auth.register.window.seconds";
    public static final String TRUSTED_PROXIES = "http.trusted.proxies";
    public static final String WEBPUSH_ALLOWED_HOSTS = "devices.webpush.allowed.hosts";
    public static final String WEBPUSH_MAX_ENDPOINT_CHARS = "devices.webpush.max.endpoint.chars";
    public static final String WEBPUSH_VAPID_PUBLIC_KEY = "devices.webpush.vapid.public.key";
    public static final String RATE_PER_SECOND = "rate.limit.per.second";
    public static final String RATE_BURST = "rate.limit.burst";
    public static final String MAX_FRAME_BYTES = "ws.max.frame.bytes";
    public static final String MAX_BODY_BYTES = "max.body.bytes";
    public static final String MAX_COMMAND_BYTES = "commands.max.bytes";
    public static final String HTTP_BLOCKING_THREADS = "http.blocking.threads";
    public static final String HTTP_BLOCKING_QUEUE = "http.blocking.queue";
    public static final String HISTORY_MAX_BUCKETS = "history.max.buckets.per.request";
    public static final String ERASURE_SINK_GROUP = "erasure.history.group";
    public static final String ERASURE_SEARCH_GROUP = "erasure.search.group";
    public static final String ERASURE_MAX_RECORDS = "erasure.max.scan.records";
    public static final String OUTBOUND_QUEUE = "ws.outbound.queue";
    public static final String IDLE_TIMEOUT_MS = "ws.idle.timeout.ms";
    public static final String SEND_TIMEOUT_MS = "http.send.timeout.ms";
    public static final String HTTP_COMMANDS_MAX_WAITING = "http.commands.max.waiting";
    public static final String COMMANDS_LINGER_MS = "commands.linger.ms";
    public static final String COMMANDS_FLUSH_AFTER_IDLE_MS = "commands.flush.after.idle.ms";
    public static final String TOPOLOGY_APPLICATION_ID = "topology.application.id";

    public static final String REPLICATION_FACTOR = "replication.factor";
    public static final String MIN_INSYNC_REPLICAS = "topics.min.insync.replicas";
    public static final String TOPIC_PARTITIONS = "topics.partitions";
    public static final String PRESENCE_MAX_CONVERSATIONS = "presence.max.conversations";
    public static final String PRESENCE_SHARED_CACHE_MS = "presence.shared.cache.ms";
    public static final String PRESENCE_SHARED_CACHE_USERS = "presence.shared.cache.users";

    // abuse limits of issue #14 item 2: a bucket per action, caps, and HTTP timeouts
    public static final String RATE_RECEIPTS_PER_SECOND = "rate.limit.receipts.per.second";
    public static final String RATE_RECEIPTS_BURST = "rate.limit.receipts.burst";
    public static final String RATE_TYPING_PER_SECOND = "rate.limit.typing.per.second";
    public static final String RATE_TYPING_BURST = "rate.limit.typing.burst";
    public static final String RATE_PRESENCE_PER_SECOND = "rate.limit.presence.per.second";
    public static final String RATE_PRESENCE_BURST = "rate.limit.presence.burst";
    public static final String RATE_DEVICES_PER_SECOND = "rate.limit.devices.per.second";
    public static final String RATE_DEVICES_BURST = "rate.limit.devices.burst";
    public static final String RATE_SEARCH_PER_SECOND = "rate.limit.search.per.second";
    public static final String RATE_SEARCH_BURST = "rate.limit.search.burst";
    public static final String RATE_READS_PER_SECOND = "rate.limit.reads.per.second";
    public static final String RATE_READS_BURST = "rate.limit.reads.burst";
    public static final String RATE_UPLOADS_PER_SECOND = "rate.limit.uploads.per.second";
    public static final String RATE_UPLOADS_BURST = "rate.limit.uploads.burst";
    public static final String SEARCH_URLS = "search.urls";
    public static final String SEARCH_INDEX = "search.index";
    public static final String SEARCH_TIMEOUT_MS = "search.timeout.ms";
    public static final String SEARCH_QUERY_MAX_CHARS = "search.query.max.chars";
    public static final String SEARCH_MAX_CONVERSATIONS = "search.max.conversations";
    public static final String SOCKETS_MAX = "sockets.per.user.max";
    public static final String CHANNEL_INTEREST_TTL_MS = "channel.interest.ttl.ms";
    public static final String CHANNELS_PER_USER_MAX = "channels.per.user.max";
    public static final String CHANNELS_SEARCH_SCAN_MAX = "channels.search.scan.max";
    public static final String MENTIONS_MAX_PER_MESSAGE = "mentions.max.per.message";
    public static final String RECEIPT_COUNTS_MAX_ROWS = "receipts.count.max.rows";
    public static final String RECEIPT_COUNTS_CACHE_MS = "receipts.count.cache.ms";
    public static final String RECEIPT_COUNTS_CACHED_CONVERSATIONS = "receipts.count.cache.conversations";
    public static final String MENTIONS_CACHE_ENTRIES = "mentions.cache.entries";
    public static final String EARLY_DELIVERY_ENABLED = "delivery.early.enabled";
    public static final String EARLY_DELIVERY_MAX_PENDING = "delivery.early.max.pending";
    public static final String EARLY_DELIVERY_MAX_SOCKETS = "delivery.early.max.sockets";
    public static final String DEVICES_MAX = "devices.per.user.max";
    public static final String PRESENCE_MAX_SUBSCRIPTIONS = "presence.max.subscriptions.per.socket";
    public static final String MAX_INBOUND_QUEUE = "ws.max.inbound.queue";
    public static final String HTTP_REQUEST_PARSE_TIMEOUT_MS = "http.request.parse.timeout.ms";
    public static final String HTTP_NO_REQUEST_TIMEOUT_MS = "http.no.request.timeout.ms";
    public static final String HTTP_BODY_TIMEOUT_MS = "http.body.timeout.ms";

    // media (issue #16, DESIGN 7.1): the S3 API store and the upload limits
    public static final String MEDIA_S3_ENDPOINT = "media.s3.endpoint";
    public static final String MEDIA_S3_BUCKET = "media.s3.bucket";
    public static final String MEDIA_S3_REGION = "media.s3.region";
    public static final String MEDIA_S3_ACCESS_KEY = "media.s3.access.key";
    public static final String MEDIA_S3_SECRET_KEY = "media.s3.secret.key";
    public static final String MEDIA_S3_PATH_STYLE = "media.s3.path.style";
    public static final String MEDIA_PART_BYTES = "media.s3.part.bytes";
    public static final String MEDIA_MAX_BYTES = "media.max.bytes";
    public static final String MEDIA_MAX_BYTES_PER_DAY = "media.max.bytes.per.day";
    public static final String MEDIA_MAX_PIXELS = "media.max.pixels";
    public static final String MEDIA_KEEP_LOCATION = "media.keep.location";
    public static final String MEDIA_UPLOADS_MAX = "media.uploads.max.concurrent";
    public static final String MEDIA_SPOOL_DIR = "media.spool.dir";
    public static final String MEDIA_MAX_PER_MESSAGE = "media.max.per.message";
    public static final String MEDIA_DESCRIPTOR_CACHE_SECONDS = "media.descriptor.cache.seconds";
    public static final String MEDIA_REDIRECT = "media.redirect";
    public static final String MEDIA_REDIRECT_TTL_SECONDS = "media.redirect.ttl.seconds";
    public static final String MEDIA_ORPHAN_TTL_SECONDS = "media.orphan.ttl.seconds";
    public static final String MEDIA_SWEEP_INTERVAL_SECONDS = "media.sweep.interval.seconds";
    public static final String MEDIA_SWEEP_BATCH = "media.sweep.batch";
    public static final String RATE_MEDIA_PER_SECOND = "rate.limit.media.per.second";
    public static final String RATE_MEDIA_BURST = "rate.limit.media.burst";

    public static final ConfigDef CONFIG = new ConfigDef()
            .define(
                    EDGE_ID,
                    Type.STRING,
                    "edge-1",
                    Importance.HIGH,
                    "This edge's id: names its delivery topic parley.delivery.<id>.v1; unique per edge.")
            .define(HTTP_HOST, Type.STRING, "0.0.0.0", Importance.MEDIUM, "Address HTTP and WebSocket listen on.")
            .define(
                    HTTP_PORT,
                    Type.INT,
                    8080,
                    Range.between(0, 65535),
                    Importance.HIGH,
                    "Port of HTTP and WebSocket (0: any free port).")
            .define(BOOTSTRAP_SERVERS, Type.STRING, "localhost:9092", Importance.HIGH, "Kafka bootstrap servers.")
            .define(
                    REDIS_URL,
                    Type.STRING,
                    "redis://localhost:6379",
                    RedisClients::validateUrl,
                    Importance.HIGH,
                    "Redis for sessions, presence, typing throttle and rate limits: redis://host:port (rediss:// for"
                            + " TLS) for one Redis, or redis-cluster://host:port,host:port,... (seed nodes, any of"
                            + " them; the client learns the rest) for a Redis Cluster.")
            .define(REDIS_KEY_PREFIX, Type.STRING, "parley:", Importance.LOW, "Namespace of every Redis key.")
            .define(
                    REDIS_TIMEOUT_MS,
                    Type.INT,
                    500,
                    Range.between(10, 60_000),
                    Importance.MEDIUM,
                    "Redis connect, read and pool-borrow timeout: the longest a command waits on a Redis that"
                            + " stopped answering before it falls back to local limits.")
            .define(
                    REDIS_POOL_SIZE,
                    Type.INT,
                    24,
                    Range.atLeast(2),
                    Importance.LOW,
                    "Redis connections of this edge, per node on a Redis Cluster (one is held by the presence"
                            + " subscription).")
            .define(
                    REDIS_BREAKER_FAILURES,
                    Type.INT,
                    3,
                    Range.atLeast(1),
                    Importance.LOW,
                    "Consecutive failed or timed-out Redis calls after which Redis counts as down: calls then"
                            + " fail at once (local rate limits, no session writes) instead of each waiting.")
            .define(
                    REDIS_BREAKER_OPEN_MS,
                    Type.LONG,
                    1_000L,
                    Range.atLeast(10),
                    Importance.LOW,
                    "How long Redis counts as down before one probe call tries it again (the edge also pings it"
                            + " this often); the first success re-registers sessions and tells clients to resync.")
            .define(
                    REDIS_FALLBACK_MAX_ENTRIES,
                    Type.INT,
                    100_000,
                    Range.atLeast(1),
                    Importance.LOW,
                    "Users (rate limits) and user-conversation pairs (typing) the local fallback limiters"
                            + " remember while Redis is down, and socket closes kept to replay when it is back;"
                            + " the least recently used are forgotten first.")
            .define(
                    CASSANDRA_CONTACT_POINT,
                    Type.STRING,
                    "127.0.0.1:9042",
                    Importance.HIGH,
                    "Cassandra host:port (accounts).")
            .define(
                    CASSANDRA_DATACENTER,
                    Type.STRING,
                    "datacenter1",
                    Importance.MEDIUM,
                    "The driver's local datacenter.")
            .define(CASSANDRA_KEYSPACE, Type.STRING, "parley", Importance.MEDIUM, "Keyspace of Parley's tables.")
            .define(
                    CASSANDRA_REPLICATION,
                    Type.STRING,
                    "{'class': 'SimpleStrategy', 'replication_factor': 1}",
                    Importance.MEDIUM,
                    "Replication of the keyspace when the migrate step creates it (NetworkTopologyStrategy on a cluster).")
            .define(
                    JWT_SECRET,
                    Type.PASSWORD,
                    null,
                    Importance.HIGH,
                    "HMAC secret (at least 32 bytes) signing access tokens; every edge needs the same one.")
            .define(
                    JWT_TTL_SECONDS,
                    Type.LONG,
                    86_400L,
                    Range.atLeast(60),
                    Importance.MEDIUM,
                    "Lifetime of an access token.")
            .define(JWT_ISSUER, Type.STRING, "parley", Importance.LOW, "The iss claim of tokens this edge issues.")
            .define(
                    JWKS_URL,
                    Type.STRING,
                    "",
                    Importance.MEDIUM,
                    "JWKS URL of the operator's identity provider; its RS256/ES256 tokens are accepted (sub = user id).")
            .define(JWKS_ISSUER, Type.STRING, "", Importance.MEDIUM, "The iss its tokens must carry.")
            .define(
                    JWKS_AUDIENCE,
                    Type.STRING,
                    "",
                    Importance.MEDIUM,
                    "The aud its tokens must carry (required with auth.jwks.url; subjects of the form u_... are refused, they are built-in ids).")
            .define(
                    PASSWORD_MIN_CHARS,
                    Type.INT,
                    8,
                    Range.atLeast(1),
                    Importance.MEDIUM,
                    "Shortest password accepted at registration, in characters (code points).")
            .define(
                    PASSWORD_MAX_BYTES,
                    Type.INT,
                    1024,
                    Range.between(8, 64 * 1024),
                    Importance.LOW,
                    "Longest password in UTF-8 bytes (longer: bad_request); passwords are pre-hashed, so bcrypt's"
                            + " 72-byte limit does not apply.")
            .define(
                    LOGIN_FAILURES_PER_ACCOUNT,
                    Type.INT,
                    5,
                    Range.atLeast(1),
                    Importance.MEDIUM,
                    "Wrong passwords for one username within the failure window before POST /v1/tokens answers"
                            + " 429 rate_limited with Retry-After (from any address; a successful login resets it).")
            .define(
                    LOGIN_FAILURES_PER_ADDRESS,
                    Type.INT,
                    50,
                    Range.atLeast(1),
                    Importance.MEDIUM,
                    "Failed logins from one client address (IPv6: its /64) within the failure window, over all"
                            + " usernames, before it gets 429.")
            .define(
                    LOGIN_FAILURE_WINDOW_SECONDS,
                    Type.INT,
                    900,
                    Range.atLeast(1),
                    Importance.MEDIUM,
                    "Window of the failed-login counters (Redis keys with this TTL, counted from the first failure).")
            .define(
                    REGISTRATIONS_PER_ADDRESS,
                    Type.INT,
                    5,
                    Range.atLeast(1),
                    Importance.MEDIUM,
                    "POST /v1/users attempts from one client address within the registration window before 429.")
            .define(
                    REGISTRATION_WINDOW_SECONDS,
                    Type.INT,
                    3600,
                    Range.atLeast(1),
                    Importance.MEDIUM,
                    "Window of the registration counter.")
            .define(
                    TRUSTED_PROXIES,
                    Type.LIST,
                    "",
                    Importance.MEDIUM,
                    "Addresses or blocks (10.0.0.0/8) of reverse proxies whose X-Forwarded-For is believed (the"
                            + " client is the last address before them); empty: the peer address is the client, the"
                            + " header is ignored.")
            .define(
                    WEBPUSH_ALLOWED_HOSTS,
                    Type.LIST,
                    "fcm.googleapis.com,updates.push.services.mozilla.com,*.push.apple.com,web.push.apple.com,"
                            + "*.notify.windows.com",
                    Importance.MEDIUM,
                    "Hosts a Web Push subscription endpoint may name (https, port 443, no user info, no IP"
                            + " literal); *.example.com matches any subdomain. Keeps the push sink from being aimed"
                            + " at internal services.")
            .define(
                    WEBPUSH_VAPID_PUBLIC_KEY,
                    Type.STRING,
                    "",
                    EdgeSettings::validVapidPublicKey,
                    Importance.MEDIUM,
                    "The push sink's webpush.vapid.public.key (base64url, an uncompressed P-256 point), served at"
                            + " GET /v1/push/vapid-public-key so browsers can subscribe to Web Push with it. Empty:"
                            + " that endpoint is 404 and the web page offers only notifications of an open tab.")
            .define(
                    WEBPUSH_MAX_ENDPOINT_CHARS,
                    Type.INT,
                    1024,
                    Range.atLeast(64),
                    Importance.LOW,
                    "Longest Web Push endpoint URL.")
            .define(
                    RATE_PER_SECOND,
                    Type.DOUBLE,
                    20.0,
                    Range.atLeast(0.1),
                    Importance.MEDIUM,
                    "Commands a user may send per second, sustained (token bucket in Redis).")
            .define(RATE_BURST, Type.INT, 40, Range.atLeast(1), Importance.MEDIUM, "Token bucket size.")
            .define(
                    MAX_FRAME_BYTES,
                    Type.INT,
                    128 * 1024,
                    Range.atLeast(1024),
                    Importance.MEDIUM,
                    "Largest client WebSocket message (text, in bytes); nothing larger is buffered: the client gets"
                            + " too_large with the frame's id when its start carries one, then close 1009. Binary"
                            + " frames are closed with 1003.")
            .define(
                    MAX_BODY_BYTES,
                    Type.INT,
                    64 * 1024,
                    Range.atLeast(1),
                    Importance.MEDIUM,
                    "Largest message body in UTF-8 bytes (checked here and again by the topology).")
            .define(
                    MAX_COMMAND_BYTES,
                    Type.INT,
                    256 * 1024,
                    Range.between(16 * 1024, 512 * 1024),
                    Importance.MEDIUM,
                    "Largest command as encoded for Kafka (Avro single-object encoding), body and lists included;"
                            + " larger ones are answered too_large. Its events and delivery records then stay far"
                            + " below Kafka's default max.message.bytes (1 MiB) and Cassandra's per-statement"
                            + " limits (see the README's arithmetic).")
            .define(
                    HTTP_BLOCKING_THREADS,
                    Type.INT,
                    16,
                    Range.atLeast(1),
                    Importance.LOW,
                    "Threads running the HTTP API endpoints (they block on Cassandra or Redis; a command"
                            + " waits for its answer without one, see http.commands.max.waiting)."
                            + " /healthz, /readyz, /metrics and socket upgrades never use them.")
            .define(
                    HTTP_BLOCKING_QUEUE,
                    Type.INT,
                    256,
                    Range.atLeast(1),
                    Importance.LOW,
                    "API requests waiting for one of those threads; beyond it a request is answered 503"
                            + " unavailable at once.")
            .define(
                    HISTORY_MAX_BUCKETS,
                    Type.INT,
                    16,
                    Range.between(1, 1000),
                    Importance.LOW,
                    "Seq buckets (1,000 seqs each) one history page reads at most; a page cut short carries a"
                            + " next cursor to continue from.")
            .define(
                    ERASURE_SINK_GROUP,
                    Type.STRING,
                    "connect-parley-cassandra-sink",
                    Importance.LOW,
                    "Consumer group of the Cassandra sink (Connect names it connect-<connector name>): the erasure"
                            + " endpoint compares its committed offsets with the delete event's.")
            .define(
                    ERASURE_SEARCH_GROUP,
                    Type.STRING,
                    "connect-parley-search-sink",
                    Importance.LOW,
                    "Consumer group of the search sink: the erasure endpoint's search answer compares its committed"
                            + " offsets with the delete event's (null while the group has committed nothing).")
            .define(
                    ERASURE_MAX_RECORDS,
                    Type.INT,
                    10_000,
                    Range.atLeast(1),
                    Importance.LOW,
                    "Events the erasure endpoint reads at most (the sink's lag on one partition) looking for a"
                            + " delete; beyond it the answer is null (unknown).")
            .define(
                    OUTBOUND_QUEUE,
                    Type.INT,
                    1024,
                    Range.atLeast(1),
                    Importance.MEDIUM,
                    "Frames queued to one socket before it counts as a slow consumer and is closed with 1013.")
            .define(
                    IDLE_TIMEOUT_MS,
                    Type.LONG,
                    120_000L,
                    Range.atLeast(1000),
                    Importance.MEDIUM,
                    "A socket with no frame (not even ping) for this long is closed.")
            .define(
                    SEND_TIMEOUT_MS,
                    Type.LONG,
                    5_000L,
                    Range.atLeast(100),
                    Importance.LOW,
                    "How long an HTTP command (a send, a conversation creation, a member change) waits for the"
                            + " topology's answer; no answer by then is 503 unavailable (retry with the same id).")
            .define(
                    HTTP_COMMANDS_MAX_WAITING,
                    Type.INT,
                    1024,
                    Range.atLeast(1),
                    Importance.LOW,
                    "HTTP commands waiting for the topology's answer at once; they hold no thread while they"
                            + " wait, only their connection and a little memory. One more is answered 503"
                            + " unavailable with Retry-After: 1.")
            .define(
                    COMMANDS_LINGER_MS,
                    Type.INT,
                    5,
                    Range.between(0, 100),
                    Importance.LOW,
                    "How long the command producer waits to batch sends of all sockets into one request: adds up"
                            + " to this much to a send, saves broker CPU (every request also wakes the topology's"
                            + " fetch); see BENCHMARKS.md.")
            .define(
                    COMMANDS_FLUSH_AFTER_IDLE_MS,
                    Type.INT,
                    20,
                    Range.between(0, 1000),
                    Importance.LOW,
                    "A command produced this long or more after the one before it is sent at once instead of"
                            + " after commands.linger.ms, which it would wait alone (a lone message, a typing"
                            + " signal); commands closer together batch as before. 0: every command waits the"
                            + " linger (BENCHMARKS.md, issue #20).")
            .define(
                    TOPOLOGY_APPLICATION_ID,
                    Type.STRING,
                    "parley-conversations",
                    Importance.LOW,
                    "The ConversationTopology's application id, whose consumer group /readyz checks.")
            .define(
                    REPLICATION_FACTOR,
                    Type.SHORT,
                    (short) 1,
                    Range.atLeast(1),
                    Importance.HIGH,
                    "Replication factor of this edge's delivery topic, and of the catalogue topics the migrate"
                            + " step creates (3 on a cluster).")
            .define(
                    MIN_INSYNC_REPLICAS,
                    Type.INT,
                    null,
                    Importance.MEDIUM,
                    "min.insync.replicas of the delivery topic and of the catalogue topics the migrate step"
                            + " creates or converges; empty keeps the broker's (2 on a cluster).")
            .define(
                    TOPIC_PARTITIONS,
                    Type.INT,
                    0,
                    Range.atLeast(0),
                    Importance.MEDIUM,
                    "Partitions of each catalogue topic: the migrate step creates them with this many (0: the"
                            + " catalogue default, 12), and the edge refuses to start when a topic has another"
                            + " count (0: it checks only that they exist). Never changed for an existing topic.")
            // presence privacy (#14): who may see whose presence
            .define(
                    PRESENCE_MAX_CONVERSATIONS,
                    Type.INT,
                    1_000,
                    Range.atLeast(1),
                    Importance.LOW,
                    "Conversations of a user read to decide whom they share one with (presence is shown only"
                            + " to them); a user in more is judged by this many, which may hide a contact but never"
                            + " shows a stranger.")
            .define(
                    PRESENCE_SHARED_CACHE_MS,
                    Type.LONG,
                    30_000L,
                    Range.atLeast(0),
                    Importance.LOW,
                    "How long an edge keeps a user's conversation ids for presence checks: someone removed from"
                            + " the only conversation they shared still sees presence for up to this long.")
            .define(
                    PRESENCE_SHARED_CACHE_USERS,
                    Type.INT,
                    100_000,
                    Range.atLeast(1),
                    Importance.LOW,
                    "Users whose conversation ids an edge caches for presence checks; the least recently used"
                            + " are forgotten first.")
            // abuse limits (issue #14 item 2), one block so merges stay easy
            .define(
                    RATE_RECEIPTS_PER_SECOND,
                    Type.DOUBLE,
                    50.0,
                    Range.atLeast(0.1),
                    Importance.MEDIUM,
                    "ack frames a user may send per second, sustained; beyond the burst they are answered"
                            + " rate_limited.")
            .define(RATE_RECEIPTS_BURST, Type.INT, 200, Range.atLeast(1), Importance.MEDIUM, "Its bucket size.")
            .define(
                    RATE_TYPING_PER_SECOND,
                    Type.DOUBLE,
                    5.0,
                    Range.atLeast(0.1),
                    Importance.MEDIUM,
                    "typing frames a user may send per second, sustained, counted before the once-a-second"
                            + " per-conversation throttle.")
            .define(RATE_TYPING_BURST, Type.INT, 20, Range.atLeast(1), Importance.MEDIUM, "Its bucket size.")
            .define(
                    RATE_PRESENCE_PER_SECOND,
                    Type.DOUBLE,
                    1.0,
                    Range.atLeast(0.1),
                    Importance.MEDIUM,
                    "presence.subscribe frames, and presence and username lookups over HTTP (GET /v1/users/{id}/presence, GET /v1/users?username=), a user may send per second, sustained.")
            .define(RATE_PRESENCE_BURST, Type.INT, 10, Range.atLeast(1), Importance.MEDIUM, "Its bucket size.")
            .define(
                    RATE_DEVICES_PER_SECOND,
                    Type.DOUBLE,
                    0.1,
                    Range.atLeast(0.001),
                    Importance.MEDIUM,
                    "Device registrations (POST /v1/devices) a user may make per second, sustained; beyond"
                            + " the burst 429 rate_limited with Retry-After.")
            .define(RATE_DEVICES_BURST, Type.INT, 10, Range.atLeast(1), Importance.MEDIUM, "Its bucket size.")
            .define(
                    RATE_SEARCH_PER_SECOND,
                    Type.DOUBLE,
                    5.0,
                    Range.atLeast(0.001),
                    Importance.MEDIUM,
                    "Searches (GET /v1/search, /v1/conversations/{id}/search, /v1/channels) a user may make per second,"
                            + " sustained; beyond the burst 429 rate_limited with Retry-After.")
            .define(RATE_SEARCH_BURST, Type.INT, 20, Range.atLeast(1), Importance.MEDIUM, "Its bucket size.")
            .define(
                    RATE_READS_PER_SECOND,
                    Type.DOUBLE,
                    50.0,
                    Range.atLeast(0.1),
                    Importance.MEDIUM,
                    "Reads without a bucket of their own (GET /v1/conversations, history pages, changes, erasure"
                            + " status, members, media downloads and thumbnails) a user may make per second, sustained;"
                            + " beyond the burst 429 rate_limited with Retry-After.")
            .define(
                    RATE_READS_BURST,
                    Type.INT,
                    200,
                    Range.atLeast(1),
                    Importance.MEDIUM,
                    "Its bucket size (a chat page opening loads a history page, the list and a thumbnail per image"
                            + " at once).")
            .define(
                    RATE_UPLOADS_PER_SECOND,
                    Type.DOUBLE,
                    20.0,
                    Range.atLeast(0.1),
                    Importance.MEDIUM,
                    "Requests of tus uploads under way (HEAD, PATCH, GET and DELETE /v1/uploads/{id}) a user may"
                            + " make per second, sustained: a PATCH per chunk; beyond the burst 429 rate_limited with"
                            + " Retry-After.")
            .define(RATE_UPLOADS_BURST, Type.INT, 100, Range.atLeast(1), Importance.MEDIUM, "Its bucket size.")
            .define(
                    SEARCH_URLS,
                    Type.LIST,
                    "http://127.0.0.1:9200",
                    Importance.HIGH,
                    "OpenSearch REST endpoints the search API queries (the search sink's opensearch.urls).")
            .define(
                    SEARCH_INDEX,
                    Type.STRING,
                    "parley-messages",
                    Importance.MEDIUM,
                    "The alias searched: the search sink's opensearch.index.")
            .define(
                    SEARCH_TIMEOUT_MS,
                    Type.LONG,
                    5_000L,
                    Range.atLeast(100),
                    Importance.LOW,
                    "How long one search may wait for OpenSearch before answering 503 unavailable.")
            .define(
                    SEARCH_QUERY_MAX_CHARS,
                    Type.INT,
                    256,
                    Range.between(1, 4096),
                    Importance.LOW,
                    "Characters (code points) of q at most; longer is 400 bad_request.")
            .define(
                    SEARCH_MAX_CONVERSATIONS,
                    Type.INT,
                    1_000,
                    Range.between(1, 65_536),
                    Importance.LOW,
                    "Conversations one search across all of a user's conversations covers at most (the"
                            + " size of the engine's terms filter); beyond, the first ones by id and the"
                            + " answer carries \"partial\": true.")
            .define(
                    CHANNEL_INTEREST_TTL_MS,
                    Type.LONG,
                    60_000L,
                    Range.between(3_000, 300_000),
                    Importance.LOW,
                    "How long this edge's interest in a channel lasts at the topology without renewal (renewed"
                            + " every third of it while a member's socket is here): a crashed edge gets a"
                            + " channel's posts for at most this long. At most the topology's"
                            + " channel.interest.max.ttl.ms.")
            .define(
                    CHANNELS_PER_USER_MAX,
                    Type.INT,
                    1_000,
                    Range.between(1, 100_000),
                    Importance.LOW,
                    "Channels of a user an edge subscribes the user's sockets to when the first one opens (read"
                            + " from the history tables); a user in more gets live posts of the first ones by id"
                            + " and reads the rest from history.")
            .define(
                    CHANNELS_SEARCH_SCAN_MAX,
                    Type.INT,
                    1_000,
                    Range.between(10, 100_000),
                    Importance.LOW,
                    "Directory rows one GET /v1/channels request reads at most: a query of several words"
                            + " reads its longest word's rows and keeps those matching the others; a page cut"
                            + " short by this bound carries the cursor where the scan stopped.")
            .define(
                    MENTIONS_MAX_PER_MESSAGE,
                    Type.INT,
                    32,
                    Range.between(0, 1_000),
                    Importance.LOW,
                    "Distinct @username mentions one message may carry (each a username lookup here and a"
                            + " notification at the topology); one more is refused with 413 too_large, never"
                            + " silently cut. At most the topology's mentions.max.per.message.")
            .define(
                    RECEIPT_COUNTS_MAX_ROWS,
                    Type.INT,
                    200_000,
                    Range.between(1, 10_000_000),
                    Importance.LOW,
                    "Receipt rows one count of a conversation's receipts reads at most (GET"
                            + " /v1/conversations/{id}/messages/{seq}/receipts); beyond, the counts are lower"
                            + " bounds and the answer says \"partial\": true.")
            .define(
                    RECEIPT_COUNTS_CACHE_MS,
                    Type.LONG,
                    2_000L,
                    Range.between(0, 600_000),
                    Importance.LOW,
                    "How long this edge reuses one scan of a conversation's receipts for its counts: a channel"
                            + " costs one partition scan per edge and period however often its members ask;"
                            + " counts lag by up to this much.")
            .define(
                    RECEIPT_COUNTS_CACHED_CONVERSATIONS,
                    Type.INT,
                    32,
                    Range.between(1, 10_000),
                    Importance.LOW,
                    "Conversations whose receipt watermarks this edge keeps for counts, least recently asked"
                            + " out: 16 bytes a member, so 32 channels at receipts.count.max.rows (200,000) hold"
                            + " 100 MB at most.")
            .define(
                    MENTIONS_CACHE_ENTRIES,
                    Type.INT,
                    100_000,
                    Range.between(0, 10_000_000),
                    Importance.LOW,
                    "Usernames whose user id this edge remembers for @mentions (about 100 bytes each;"
                            + " usernames never change, so an entry never goes stale); a name not in it costs"
                            + " one Cassandra read.")
            .define(
                    EARLY_DELIVERY_ENABLED,
                    Type.BOOLEAN,
                    true,
                    Importance.MEDIUM,
                    "Early delivery: sockets opened with ?early=1 get posted messages before the topology's"
                            + " commit, flagged tentative, then confirmed, replaced or retracted (README, Early"
                            + " delivery). Costs a second read of the delivery topic; false turns it off and"
                            + " ?early=1 sockets get committed frames only.")
            .define(
                    EARLY_DELIVERY_MAX_PENDING,
                    Type.INT,
                    4096,
                    Range.between(1, 100_000),
                    Importance.LOW,
                    "Early frames that may wait for their commit at once (each waits one commit interval,"
                            + " normally); past it messages go out committed only.")
            .define(
                    EARLY_DELIVERY_MAX_SOCKETS,
                    Type.INT,
                    1024,
                    Range.between(1, 100_000),
                    Importance.LOW,
                    "The most sockets on this edge one message is shown early to; a larger fan-out (a big"
                            + " channel) goes out committed only, so waiting early frames stay small.")
            .define(
                    SOCKETS_MAX,
                    Type.INT,
                    10,
                    Range.atLeast(1),
                    Importance.MEDIUM,
                    "Open sockets one user may have across all edges; one more upgrade is refused with 429"
                            + " rate_limited (counted in Redis; on this edge alone while Redis is down).")
            .define(
                    DEVICES_MAX,
                    Type.INT,
                    20,
                    Range.atLeast(1),
                    Importance.MEDIUM,
                    "Devices one user may register; a new one beyond it is 409 conflict (re-registering one is"
                            + " allowed).")
            .define(
                    PRESENCE_MAX_SUBSCRIPTIONS,
                    Type.INT,
                    1000,
                    Range.atLeast(1),
                    Importance.MEDIUM,
                    "Users one socket may watch with presence.subscribe; ids beyond it are answered too_large,"
                            + " ids already watched get no second reply.")
            .define(
                    MAX_INBOUND_QUEUE,
                    Type.INT,
                    64,
                    Range.atLeast(1),
                    Importance.LOW,
                    "Frames of one socket read but not yet handled; when that many wait, the edge stops reading"
                            + " the socket until they drain (TCP pushes back on the client).")
            .define(
                    HTTP_REQUEST_PARSE_TIMEOUT_MS,
                    Type.INT,
                    10_000,
                    Range.atLeast(100),
                    Importance.LOW,
                    "A request whose line and headers have not fully arrived this long after they began is"
                            + " closed (slowloris).")
            .define(
                    HTTP_NO_REQUEST_TIMEOUT_MS,
                    Type.INT,
                    30_000,
                    Range.atLeast(100),
                    Importance.LOW,
                    "A connection that sends no request for this long is closed (also between keep-alive"
                            + " requests).")
            .define(
                    HTTP_BODY_TIMEOUT_MS,
                    Type.INT,
                    10_000,
                    Range.atLeast(100),
                    Importance.LOW,
                    "How long an API request's body may take to arrive; a later one is answered bad_request and"
                            + " its connection closed (a trickled body would hold an API thread).")
            .define(
                    MEDIA_S3_ENDPOINT,
                    Type.STRING,
                    "http://127.0.0.1:8333",
                    Importance.HIGH,
                    "S3 API endpoint media is stored at (S3Proxy of ./parley up, MinIO, Ceph; blank: AWS S3 of"
                            + " media.s3.region).")
            .define(
                    MEDIA_S3_BUCKET,
                    Type.STRING,
                    "parley-media",
                    Importance.HIGH,
                    "Bucket of originals and thumbnails.")
            .define(MEDIA_S3_REGION, Type.STRING, "us-east-1", Importance.MEDIUM, "Region requests are signed for.")
            .define(MEDIA_S3_ACCESS_KEY, Type.STRING, "parley", Importance.HIGH, "S3 access key id.")
            .define(MEDIA_S3_SECRET_KEY, Type.PASSWORD, "parley-media-secret", Importance.HIGH, "S3 secret key.")
            .define(
                    MEDIA_S3_PATH_STYLE,
                    Type.BOOLEAN,
                    true,
                    Importance.MEDIUM,
                    "Address buckets as endpoint/bucket (S3Proxy, MinIO) rather than bucket.endpoint.")
            .define(
                    MEDIA_PART_BYTES,
                    Type.INT,
                    8 * 1024 * 1024,
                    Range.between(5 * 1024 * 1024, 512 * 1024 * 1024),
                    Importance.LOW,
                    "Files larger than this go to S3 as a multipart upload of parts this size (S3's minimum"
                            + " part is 5 MiB).")
            .define(
                    MEDIA_MAX_BYTES,
                    Type.LONG,
                    100L * 1024 * 1024,
                    Range.atLeast(1),
                    Importance.HIGH,
                    "Largest file a user may upload; one byte more is 413 too_large and the edge stops reading.")
            .define(
                    MEDIA_MAX_BYTES_PER_DAY,
                    Type.LONG,
                    2L * 1024 * 1024 * 1024,
                    Range.atLeast(1),
                    Importance.MEDIUM,
                    "Bytes one user may upload per UTC day (counted in Redis); past it 429 rate_limited.")
            .define(
                    MEDIA_MAX_PIXELS,
                    Type.LONG,
                    50_000_000L,
                    Range.atLeast(1),
                    Importance.MEDIUM,
                    "Largest image (width x height, read from its header) the edge decodes for a thumbnail; a"
                            + " larger one (a decompression bomb) is 413 too_large, never decoded.")
            .define(
                    MEDIA_KEEP_LOCATION,
                    Type.BOOLEAN,
                    false,
                    Importance.LOW,
                    "Keep the GPS EXIF tags of uploaded JPEGs (by default they are stripped before storing).")
            .define(
                    MEDIA_UPLOADS_MAX,
                    Type.INT,
                    32,
                    Range.atLeast(1),
                    Importance.MEDIUM,
                    "Uploads this edge receives at once; one more is 503 unavailable (each holds a thread and a"
                            + " spool file, never the file in heap).")
            .define(
                    MEDIA_SPOOL_DIR,
                    Type.STRING,
                    "",
                    Importance.LOW,
                    "Folder of the temporary files uploads are spooled to before they are stored (blank: the"
                            + " JVM's java.io.tmpdir).")
            .define(
                    MEDIA_MAX_PER_MESSAGE,
                    Type.INT,
                    32,
                    Range.between(1, 32),
                    Importance.LOW,
                    "Media ids one message may carry (the topology refuses more than 32).")
            .define(
                    MEDIA_DESCRIPTOR_CACHE_SECONDS,
                    Type.INT,
                    7 * 24 * 3600,
                    Range.atLeast(1),
                    Importance.LOW,
                    "How long the edge keeps a media descriptor in Redis for send (a miss reads Cassandra once).")
            .define(
                    MEDIA_REDIRECT,
                    Type.BOOLEAN,
                    false,
                    Importance.LOW,
                    "Answer an authorized GET /v1/media/{id} with 302 to a presigned URL of the store (a CDN or"
                            + " S3 serves the bytes) instead of streaming them through the edge.")
            .define(
                    MEDIA_REDIRECT_TTL_SECONDS,
                    Type.INT,
                    300,
                    Range.between(1, 7 * 24 * 3600),
                    Importance.LOW,
                    "How long a presigned redirect URL stays valid.")
            .define(
                    MEDIA_ORPHAN_TTL_SECONDS,
                    Type.LONG,
                    24L * 3600,
                    Range.atLeast(1),
                    Importance.MEDIUM,
                    "Media no message referenced within this long after upload is deleted from the store and"
                            + " the tables.")
            .define(
                    MEDIA_SWEEP_INTERVAL_SECONDS,
                    Type.LONG,
                    600L,
                    Range.atLeast(1),
                    Importance.LOW,
                    "How often an edge looks for orphan media, and media of deleted or expired messages, to delete.")
            .define(
                    MEDIA_SWEEP_BATCH,
                    Type.INT,
                    500,
                    Range.atLeast(1),
                    Importance.LOW,
                    "Most entries (orphans and releases) one sweep looks at (the rest waits for the next).")
            .define(
                    RATE_MEDIA_PER_SECOND,
                    Type.DOUBLE,
                    1.0,
                    Range.atLeast(0.001),
                    Importance.MEDIUM,
                    "Uploads (POST /v1/media, POST /v1/uploads) a user may start per second, sustained; beyond"
                            + " the burst 429 rate_limited with Retry-After.")
            .define(RATE_MEDIA_BURST, Type.INT, 30, Range.atLeast(1), Importance.MEDIUM, "Its bucket size.");

    public EdgeSettings(Map<?, ?> originals) {
        super(CONFIG, originals, false);
    }

    public String mediaSecretKey() {
        Password secret = getPassword(MEDIA_S3_SECRET_KEY);
        return secret == null ? "" : secret.value();
    }

    public String jwtSecret() {
        Password secret = getPassword(JWT_SECRET);
        if (secret == null || secret.value().length() < 32) {
            throw new org.apache.kafka.common.config.ConfigException(
                    JWT_SECRET, "(hidden)", "must be set to at least 32 characters");
        }
        return secret.value();
    }

    /** Empty, or what the push sink signs with: 65 bytes, 0x04 then x and y (base64url, unpadded or not). */
    private static void validVapidPublicKey(String name, Object value) {
        String key = value == null ? "" : value.toString().trim();
        if (key.isEmpty()) {
            return;
        }
        byte[] point;
        try {
            point = java.util.Base64.getUrlDecoder().decode(key);
        } catch (IllegalArgumentException e) {
            point = new byte[0];
        }
        if (point.length != 65 || point[0] != 4) {
            throw new org.apache.kafka.common.config.ConfigException(
                    name, "(a key)", "must be base64url of an uncompressed P-256 point (65 bytes starting 0x04)");
        }
    }
}
