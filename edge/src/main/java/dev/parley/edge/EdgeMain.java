package dev.parley.edge;

import com.datastax.oss.driver.api.core.CqlSession;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.devices.DeviceRegistry;
import dev.parley.edge.auth.AccountStore;
import dev.parley.edge.auth.AccountThrottle;
import dev.parley.edge.auth.BcryptPasswordHasher;
import dev.parley.edge.auth.ExternalTokenVerifier;
import dev.parley.edge.auth.Mentions;
import dev.parley.edge.auth.PasswordPolicy;
import dev.parley.edge.auth.TokenService;
import dev.parley.edge.history.ChannelDirectory;
import dev.parley.edge.history.HistoryReader;
import dev.parley.edge.history.ReceiptCounts;
import dev.parley.edge.history.SharedConversations;
import dev.parley.edge.http.AccountEndpoints;
import dev.parley.edge.http.AsyncCommands;
import dev.parley.edge.http.ClientAddresses;
import dev.parley.edge.http.ConversationEndpoints;
import dev.parley.edge.http.DeviceEndpoints;
import dev.parley.edge.http.DirectoryEndpoints;
import dev.parley.edge.http.HistoryEndpoints;
import dev.parley.edge.http.JsonExchange;
import dev.parley.edge.http.MediaEndpoints;
import dev.parley.edge.http.SearchEndpoints;
import dev.parley.edge.http.StatusEndpoints;
import dev.parley.edge.http.TusEndpoints;
import dev.parley.edge.http.WebPushEndpointPolicy;
import dev.parley.edge.media.MediaAttachments;
import dev.parley.edge.media.MediaCatalog;
import dev.parley.edge.media.MediaIds;
import dev.parley.edge.media.MediaInspector;
import dev.parley.edge.media.MediaLibrary;
import dev.parley.edge.media.MediaStore;
import dev.parley.edge.media.OrphanSweep;
import dev.parley.edge.media.UploadQuota;
import dev.parley.edge.messaging.ChannelSubscriptions;
import dev.parley.edge.messaging.CommandGateway;
import dev.parley.edge.messaging.CommandPublisher;
import dev.parley.edge.messaging.DeliveryDispatcher;
import dev.parley.edge.messaging.PendingReplies;
import dev.parley.edge.presence.PresenceHub;
import dev.parley.edge.presence.RateLimiter;
import dev.parley.edge.presence.RateLimiters;
import dev.parley.edge.presence.RedisRecovery;
import dev.parley.edge.presence.SessionStore;
import dev.parley.edge.presence.TypingThrottle;
import dev.parley.edge.search.MessageSearch;
import dev.parley.edge.search.SearchCursor;
import dev.parley.edge.socket.Connections;
import dev.parley.edge.socket.FrameParser;
import dev.parley.edge.socket.ReceiptCoalescer;
import dev.parley.edge.socket.ServerFrames;
import dev.parley.edge.socket.SocketEndpoint;
import dev.parley.schema.CassandraSessions;
import dev.parley.schema.ConfigSources;
import dev.parley.schema.ParleySerdes;
import dev.parley.schema.RedisCircuitBreaker;
import dev.parley.schema.RedisClients;
import dev.parley.schema.RedisKeys;
import dev.parley.schema.SchemaVersionCheck;
import dev.parley.schema.TopicCatalogueCheck;
import dev.parley.schema.TopicProvisioner;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;

/**
 * Runs one edge: {@code java dev.parley.edge.EdgeMain [settings.properties]}, settings also from
 * {@code PARLEY_*} environment variables. Its delivery topic, heartbeat and delivery consumer exist
 * before the first socket is accepted.
 */
public final class EdgeMain {

    private static final Logger log = LoggerFactory.getLogger(EdgeMain.class);

    private EdgeMain() {}

    public static void main(String[] args) throws Exception {
        Path file = args.length > 0 ? Path.of(args[0]) : null;
        EdgeSettings settings =
                new EdgeSettings(ConfigSources.gather(EdgeSettings.CONFIG.names(), file, System.getenv(), Map.of()));
        RunningEdge edge;
        try {
            edge = start(settings);
        } catch (SchemaVersionCheck.SchemaVersionMismatch | TopicCatalogueCheck.TopicCatalogueMismatch e) {
            System.err.println("parley edge: " + e.getMessage()); // one line, no stack trace
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            edge.close();
                            stopped.countDown();
                        },
                        "parley-edge-shutdown"));
        log.info("edge {} listening on {}", settings.getString(EdgeSettings.EDGE_ID), edge.port());
        stopped.await();
    }

    public static RunningEdge start(EdgeSettings settings) throws Exception {
        RunningEdge edge = new RunningEdge();
        try {
            edge.start(settings);
            return edge;
        } catch (Exception e) {
            edge.close();
            throw e;
        }
    }

    /** A started edge; closing stops it, newest part first. */
    public static final class RunningEdge implements AutoCloseable {
        private final Deque<AutoCloseable> parts = new ArrayDeque<>();
        private EdgeServer server;

        private void start(EdgeSettings s) throws Exception {
            String edgeId = s.getString(EdgeSettings.EDGE_ID);
            String bootstrap = s.getString(EdgeSettings.BOOTSTRAP_SERVERS);
            ObjectMapper json = new ObjectMapper();
            ParleySerdes serdes = new ParleySerdes();
            TokenService tokens = new TokenService(
                    s.jwtSecret(),
                    s.getString(EdgeSettings.JWT_ISSUER),
                    Duration.ofSeconds(s.getLong(EdgeSettings.JWT_TTL_SECONDS)),
                    Clock.systemUTC(),
                    s.getString(EdgeSettings.JWKS_URL).isBlank()
                            ? null
                            : new ExternalTokenVerifier(
                                    s.getString(EdgeSettings.JWKS_URL),
                                    s.getString(EdgeSettings.JWKS_ISSUER),
                                    s.getString(EdgeSettings.JWKS_AUDIENCE)));

            Admin admin = own(Admin.create(Map.of("bootstrap.servers", bootstrap)));
            // the catalogue is the migrate step's; this edge creates only its own delivery topic
            TopicCatalogueCheck.require(admin, s.getInt(EdgeSettings.TOPIC_PARTITIONS));
            new TopicProvisioner(
                            admin,
                            s.getShort(EdgeSettings.REPLICATION_FACTOR),
                            0,
                            s.getInt(EdgeSettings.MIN_INSYNC_REPLICAS))
                    .provisionDelivery(edgeId);

            UnifiedJedis redis = own(redis(s));
            RedisCircuitBreaker breaker = new RedisCircuitBreaker(
                    "edge " + edgeId,
                    s.getInt(EdgeSettings.REDIS_BREAKER_FAILURES),
                    Duration.ofMillis(s.getLong(EdgeSettings.REDIS_BREAKER_OPEN_MS)),
                    System::nanoTime);
            int fallbackEntries = s.getInt(EdgeSettings.REDIS_FALLBACK_MAX_ENTRIES);
            RedisKeys keys = new RedisKeys(s.getString(EdgeSettings.REDIS_KEY_PREFIX));
            SessionStore sessions =
                    new SessionStore(redis, breaker, keys, edgeId, fallbackEntries, System::currentTimeMillis);
            Connections connections = new Connections();
            heartbeat(sessions, connections);
            ScheduledExecutorService timers = Executors.newScheduledThreadPool(1, daemon("parley-edge-timer"));
            own(timers::shutdownNow);
            timers.scheduleWithFixedDelay(
                    () -> heartbeat(sessions, connections),
                    RedisKeys.EDGE_HEARTBEAT_INTERVAL.toMillis(),
                    RedisKeys.EDGE_HEARTBEAT_INTERVAL.toMillis(),
                    TimeUnit.MILLISECONDS);

            CqlSession cassandra = own(cassandra(s));
            AccountStore accounts = new AccountStore(cassandra);

            CommandPublisher commands = own(new CommandPublisher(
                    bootstrap,
                    s.getInt(EdgeSettings.COMMANDS_LINGER_MS),
                    s.getInt(EdgeSettings.COMMANDS_FLUSH_AFTER_IDLE_MS),
                    serdes.command(),
                    s.getInt(EdgeSettings.MAX_COMMAND_BYTES)));
            RateLimiters limits = rateLimiters(s, redis, breaker, keys, fallbackEntries);
            MediaIds mediaIds = new MediaIds(s.jwtSecret());
            MediaCatalog mediaCatalog = new MediaCatalog(cassandra);
            MediaAttachments attachments = new MediaAttachments(
                    mediaIds,
                    mediaCatalog,
                    redis,
                    breaker,
                    keys,
                    s.getInt(EdgeSettings.MEDIA_DESCRIPTOR_CACHE_SECONDS));
            // the client connects lazily: an edge starts while the store is down and answers uploads 503
            MediaStore mediaStore = own(MediaStore.open(s));
            MediaLibrary library = new MediaLibrary(
                    mediaStore,
                    mediaCatalog,
                    attachments,
                    new MediaInspector(
                            s.getLong(EdgeSettings.MEDIA_MAX_PIXELS), s.getBoolean(EdgeSettings.MEDIA_KEEP_LOCATION)),
                    mediaIds,
                    new UploadQuota(
                            redis, breaker, keys, s.getLong(EdgeSettings.MEDIA_MAX_BYTES_PER_DAY), Clock.systemUTC()),
                    Clock.systemUTC());
            // its own thread: a sweep waits on Cassandra and S3, the timers above must not
            ScheduledExecutorService sweeper =
                    Executors.newSingleThreadScheduledExecutor(daemon("parley-edge-media-sweep"));
            own(sweeper::shutdownNow);
            long sweepEvery = s.getLong(EdgeSettings.MEDIA_SWEEP_INTERVAL_SECONDS);
            sweeper.scheduleWithFixedDelay(
                    new OrphanSweep(
                            library,
                            redis,
                            breaker,
                            keys,
                            Duration.ofSeconds(s.getLong(EdgeSettings.MEDIA_ORPHAN_TTL_SECONDS)),
                            s.getInt(EdgeSettings.MEDIA_SWEEP_BATCH),
                            Clock.systemUTC()),
                    sweepEvery,
                    sweepEvery,
                    TimeUnit.SECONDS);
            Mentions mentions = new Mentions(
                    name -> accounts.findByName(name).map(AccountStore.Account::userId),
                    s.getInt(EdgeSettings.MENTIONS_MAX_PER_MESSAGE),
                    s.getInt(EdgeSettings.MENTIONS_CACHE_ENTRIES));
            CommandGateway gateway = new CommandGateway(
                    edgeId,
                    commands,
                    s.getInt(EdgeSettings.MAX_BODY_BYTES),
                    s.getInt(EdgeSettings.MEDIA_MAX_PER_MESSAGE),
                    limits,
                    attachments::resolve,
                    mentions::resolve);
            PendingReplies pending = new PendingReplies();
            ServerFrames frames = new ServerFrames(json);
            new RedisRecovery(
                            redis,
                            breaker,
                            sessions,
                            connections,
                            frames.resync("redis_recovered").toString())
                    .start(timers, Duration.ofMillis(s.getLong(EdgeSettings.REDIS_BREAKER_OPEN_MS)));
            EdgeMetrics metrics = new EdgeMetrics();
            metrics.watch(breaker);
            ChannelSubscriptions channels = new ChannelSubscriptions(
                    edgeId,
                    commands,
                    Duration.ofMillis(s.getLong(EdgeSettings.CHANNEL_INTEREST_TTL_MS)),
                    user -> !connections.ofUser(user).isEmpty());
            DeliveryDispatcher dispatcher = new DeliveryDispatcher(
                    bootstrap,
                    edgeId,
                    serdes.delivery(),
                    connections,
                    pending,
                    frames,
                    metrics,
                    channels,
                    new DeliveryDispatcher.EarlySettings(
                            s.getBoolean(EdgeSettings.EARLY_DELIVERY_ENABLED),
                            s.getInt(EdgeSettings.EARLY_DELIVERY_MAX_PENDING),
                            s.getInt(EdgeSettings.EARLY_DELIVERY_MAX_SOCKETS)));
            dispatcher.start();
            own(dispatcher);

            ReceiptCoalescer receipts = new ReceiptCoalescer(edgeId, c -> commands.publish(c));
            timers.scheduleWithFixedDelay(receipts::flush, 500, 500, TimeUnit.MILLISECONDS);
            own(receipts::flush);
            // creates the history tables the presence check below reads
            HistoryReader history = new HistoryReader(
                    cassandra,
                    s.getString(EdgeSettings.CASSANDRA_KEYSPACE),
                    s.getInt(EdgeSettings.HISTORY_MAX_BUCKETS));
            PresenceHub presence = own(new PresenceHub(
                    redis,
                    breaker,
                    keys,
                    json,
                    new SharedConversations(
                            cassandra,
                            s.getString(EdgeSettings.CASSANDRA_KEYSPACE),
                            s.getInt(EdgeSettings.PRESENCE_MAX_CONVERSATIONS),
                            Duration.ofMillis(s.getLong(EdgeSettings.PRESENCE_SHARED_CACHE_MS)),
                            s.getInt(EdgeSettings.PRESENCE_SHARED_CACHE_USERS),
                            System::currentTimeMillis)));
            ExecutorService workers = Executors.newFixedThreadPool(16, daemon("parley-edge-worker"));
            own(workers::shutdown);
            int channelsPerUser = s.getInt(EdgeSettings.CHANNELS_PER_USER_MAX);
            connections.listen(new Connections.UserListener() {
                @Override
                public void firstSocket(String userId) {
                    // a partition read of the user's conversations, off the I/O thread
                    workers.execute(() -> {
                        try {
                            channels.userConnected(userId, u -> history.conversationIdsOf(u, channelsPerUser));
                        } catch (RuntimeException e) {
                            log.warn(
                                    "channels of {} not read; their live posts wait for a reconnect: {}",
                                    userId,
                                    e.toString());
                        }
                    });
                }

                @Override
                public void lastSocketClosed(String userId) {
                    // a withdrawal is a produce, which may wait for metadata: never on the I/O thread
                    try {
                        workers.execute(() -> channels.userDisconnected(userId));
                    } catch (RejectedExecutionException e) {
                        // the edge is stopping: Undertow can run a socket's close listener after its stop
                        // returned and the workers were shut down (a CI run logged this rejection at
                        // ERROR); the edge's channel interest then lapses with its TTL, as on a crash
                        log.debug("edge stopping: interest of {} left to expire", userId);
                    }
                }
            });
            long renewMs = channels.renewInterval().toMillis();
            timers.scheduleWithFixedDelay(channels::renew, renewMs, renewMs, TimeUnit.MILLISECONDS);

            JsonExchange io = new JsonExchange(json, s.getInt(EdgeSettings.HTTP_BODY_TIMEOUT_MS));
            AsyncCommands commandReplies = new AsyncCommands(
                    pending,
                    io,
                    Duration.ofMillis(s.getLong(EdgeSettings.SEND_TIMEOUT_MS)),
                    s.getInt(EdgeSettings.HTTP_COMMANDS_MAX_WAITING));
            metrics.watchHttpCommands(commandReplies::waiting);
            SocketEndpoint sockets = new SocketEndpoint(
                    new FrameParser(json),
                    frames,
                    connections,
                    gateway,
                    sessions,
                    new TypingThrottle(redis, breaker, keys, fallbackEntries, System::currentTimeMillis),
                    receipts,
                    presence,
                    workers,
                    metrics,
                    s.getInt(EdgeSettings.MAX_FRAME_BYTES),
                    s.getInt(EdgeSettings.OUTBOUND_QUEUE),
                    s.getLong(EdgeSettings.IDLE_TIMEOUT_MS),
                    s.getInt(EdgeSettings.PRESENCE_MAX_SUBSCRIPTIONS),
                    s.getInt(EdgeSettings.MAX_INBOUND_QUEUE),
                    s.getInt(EdgeSettings.SOCKETS_MAX));
            server = own(new EdgeServer(
                    s.getString(EdgeSettings.HTTP_HOST),
                    s.getInt(EdgeSettings.HTTP_PORT),
                    tokens,
                    io,
                    new AccountEndpoints(
                            accounts,
                            new BcryptPasswordHasher(10),
                            new PasswordPolicy(
                                    s.getInt(EdgeSettings.PASSWORD_MIN_CHARS),
                                    s.getInt(EdgeSettings.PASSWORD_MAX_BYTES)),
                            new AccountThrottle(
                                    redis,
                                    keys,
                                    s.getInt(EdgeSettings.LOGIN_FAILURES_PER_ACCOUNT),
                                    s.getInt(EdgeSettings.LOGIN_FAILURES_PER_ADDRESS),
                                    Duration.ofSeconds(s.getInt(EdgeSettings.LOGIN_FAILURE_WINDOW_SECONDS)),
                                    s.getInt(EdgeSettings.REGISTRATIONS_PER_ADDRESS),
                                    Duration.ofSeconds(s.getInt(EdgeSettings.REGISTRATION_WINDOW_SECONDS))),
                            new ClientAddresses(s.getList(EdgeSettings.TRUSTED_PROXIES)),
                            tokens,
                            io),
                    new ConversationEndpoints(gateway, commandReplies, accounts, frames, io),
                    new StatusEndpoints(
                            sessions,
                            presence,
                            redis,
                            breaker,
                            cassandra,
                            admin,
                            s.getString(EdgeSettings.TOPOLOGY_APPLICATION_ID),
                            metrics,
                            limits,
                            io),
                    new HistoryEndpoints(
                            history,
                            io,
                            limits,
                            new dev.parley.edge.history.ErasureCheck(
                                    admin,
                                    bootstrap,
                                    s.getString(EdgeSettings.ERASURE_SINK_GROUP),
                                    s.getString(EdgeSettings.ERASURE_SEARCH_GROUP),
                                    serdes.event(),
                                    s.getInt(EdgeSettings.ERASURE_MAX_RECORDS))),
                    new SearchEndpoints(
                            own(new MessageSearch(
                                    json,
                                    s.getList(EdgeSettings.SEARCH_URLS),
                                    Duration.ofMillis(s.getLong(EdgeSettings.SEARCH_TIMEOUT_MS)),
                                    s.getString(EdgeSettings.SEARCH_INDEX))),
                            new SearchCursor(json, s.jwtSecret()),
                            history,
                            limits,
                            io,
                            s.getInt(EdgeSettings.SEARCH_QUERY_MAX_CHARS),
                            s.getInt(EdgeSettings.SEARCH_MAX_CONVERSATIONS)),
                    new MediaEndpoints(
                            library,
                            history,
                            limits,
                            io,
                            s.getLong(EdgeSettings.MEDIA_MAX_BYTES),
                            spoolDir(s),
                            s.getBoolean(EdgeSettings.MEDIA_REDIRECT),
                            Duration.ofSeconds(s.getInt(EdgeSettings.MEDIA_REDIRECT_TTL_SECONDS))),
                    new TusEndpoints(
                            library,
                            redis,
                            keys,
                            limits,
                            io,
                            s.getLong(EdgeSettings.MEDIA_MAX_BYTES),
                            s.getInt(EdgeSettings.MEDIA_PART_BYTES),
                            spoolDir(s),
                            Duration.ofSeconds(s.getLong(EdgeSettings.MEDIA_ORPHAN_TTL_SECONDS)),
                            Clock.systemUTC()),
                    s.getInt(EdgeSettings.MEDIA_UPLOADS_MAX),
                    new DeviceEndpoints(
                            own(new DeviceRegistry(cassandra, bootstrap, serdes.deviceSet())),
                            new WebPushEndpointPolicy(
                                    s.getList(EdgeSettings.WEBPUSH_ALLOWED_HOSTS),
                                    s.getInt(EdgeSettings.WEBPUSH_MAX_ENDPOINT_CHARS)),
                            io,
                            limits,
                            s.getInt(EdgeSettings.DEVICES_MAX),
                            s.getString(EdgeSettings.WEBPUSH_VAPID_PUBLIC_KEY)),
                    new DirectoryEndpoints(
                            accounts,
                            history,
                            limits,
                            io,
                            new ChannelDirectory(
                                    cassandra,
                                    s.getString(EdgeSettings.CASSANDRA_KEYSPACE),
                                    s.getInt(EdgeSettings.CHANNELS_SEARCH_SCAN_MAX)),
                            new SearchCursor(json, s.jwtSecret()),
                            new ReceiptCounts(
                                    cassandra,
                                    s.getString(EdgeSettings.CASSANDRA_KEYSPACE),
                                    s.getInt(EdgeSettings.RECEIPT_COUNTS_MAX_ROWS),
                                    s.getLong(EdgeSettings.RECEIPT_COUNTS_CACHE_MS),
                                    s.getInt(EdgeSettings.RECEIPT_COUNTS_CACHED_CONVERSATIONS),
                                    System::currentTimeMillis)),
                    sockets,
                    s.getInt(EdgeSettings.HTTP_BLOCKING_THREADS),
                    s.getInt(EdgeSettings.HTTP_BLOCKING_QUEUE),
                    s.getInt(EdgeSettings.HTTP_REQUEST_PARSE_TIMEOUT_MS),
                    s.getInt(EdgeSettings.HTTP_NO_REQUEST_TIMEOUT_MS)));
            server.start();
        }

        public int port() {
            return server.port();
        }

        private <T extends AutoCloseable> T own(T part) {
            parts.push(part);
            return part;
        }

        private static void heartbeat(SessionStore sessions, Connections connections) {
            try {
                int rewritten = sessions.heartbeat(connections.connectionIdsByUser());
                if (rewritten > 0) {
                    log.warn(
                            "sessions of {} users were missing from Redis (lost in a failover?): written again",
                            rewritten);
                }
            } catch (RuntimeException e) {
                // RedisRecovery rewrites the heartbeat and sessions once Redis answers
                log.warn(
                        "heartbeat failed (sessions age out if this lasts {} s): {}",
                        RedisKeys.SESSION_TTL.toSeconds(),
                        e.toString());
            }
        }

        /** A single Redis or a cluster, by {@code redis.url}; every wait bounded by {@code redis.timeout.ms}. */
        private static UnifiedJedis redis(EdgeSettings s) {
            return RedisClients.connect(
                    s.getString(EdgeSettings.REDIS_URL),
                    s.getInt(EdgeSettings.REDIS_TIMEOUT_MS),
                    s.getInt(EdgeSettings.REDIS_POOL_SIZE));
        }

        private static CqlSession cassandra(EdgeSettings s) {
            List<String> contactPoint = List.of(s.getString(EdgeSettings.CASSANDRA_CONTACT_POINT));
            String keyspace = s.getString(EdgeSettings.CASSANDRA_KEYSPACE);
            String dc = s.getString(EdgeSettings.CASSANDRA_DATACENTER);
            try (CqlSession check = CassandraSessions.open(contactPoint, dc, null, Duration.ofSeconds(5))) {
                // only the migrate step changes the schema; a keyspace at another version refuses the start
                SchemaVersionCheck.require(check, keyspace);
            }
            return CassandraSessions.open(contactPoint, dc, keyspace, Duration.ofSeconds(5));
        }

        /** Where uploads are spooled: {@code media.spool.dir}, else a folder in java.io.tmpdir. */
        private static Path spoolDir(EdgeSettings s) throws java.io.IOException {
            String configured = s.getString(EdgeSettings.MEDIA_SPOOL_DIR);
            Path dir = configured.isBlank()
                    ? Path.of(System.getProperty("java.io.tmpdir"), "parley-media-spool")
                    : Path.of(configured);
            return java.nio.file.Files.createDirectories(dir);
        }

        private static java.util.concurrent.ThreadFactory daemon(String name) {
            return r -> {
                Thread t = new Thread(r, name);
                t.setDaemon(true);
                return t;
            };
        }

        @Override
        public void close() {
            while (!parts.isEmpty()) {
                try {
                    parts.pop().close();
                } catch (Exception e) {
                    log.warn("closing edge part: {}", e.toString());
                }
            }
        }
    }

    /** A bucket per action, each with its own rate and burst keys (the commands bucket keeps the old ones). */
    private static RateLimiters rateLimiters(
            EdgeSettings s, UnifiedJedis redis, RedisCircuitBreaker breaker, RedisKeys keys, int fallbackEntries) {
        Map<RateLimiters.Action, RateLimiter> limiters = new EnumMap<>(RateLimiters.Action.class);
        // the Redis key suffix and the rate and burst keys of each bucket
        Map<RateLimiters.Action, String[]> settings = Map.of(
                RateLimiters.Action.COMMANDS,
                new String[] {"", EdgeSettings.RATE_PER_SECOND, EdgeSettings.RATE_BURST},
                RateLimiters.Action.RECEIPTS,
                new String[] {"receipts", EdgeSettings.RATE_RECEIPTS_PER_SECOND, EdgeSettings.RATE_RECEIPTS_BURST},
                RateLimiters.Action.TYPING,
                new String[] {"typing", EdgeSettings.RATE_TYPING_PER_SECOND, EdgeSettings.RATE_TYPING_BURST},
                RateLimiters.Action.PRESENCE,
                new String[] {"presence", EdgeSettings.RATE_PRESENCE_PER_SECOND, EdgeSettings.RATE_PRESENCE_BURST},
                RateLimiters.Action.DEVICES,
                new String[] {"devices", EdgeSettings.RATE_DEVICES_PER_SECOND, EdgeSettings.RATE_DEVICES_BURST},
                RateLimiters.Action.SEARCH,
                new String[] {"search", EdgeSettings.RATE_SEARCH_PER_SECOND, EdgeSettings.RATE_SEARCH_BURST},
                RateLimiters.Action.MEDIA,
                new String[] {"media", EdgeSettings.RATE_MEDIA_PER_SECOND, EdgeSettings.RATE_MEDIA_BURST},
                RateLimiters.Action.READS,
                new String[] {"reads", EdgeSettings.RATE_READS_PER_SECOND, EdgeSettings.RATE_READS_BURST},
                RateLimiters.Action.UPLOADS,
                new String[] {"uploads", EdgeSettings.RATE_UPLOADS_PER_SECOND, EdgeSettings.RATE_UPLOADS_BURST});
        for (RateLimiters.Action action : RateLimiters.Action.values()) {
            // a bucket without its row fails the edge's start, not a request
            String[] row =
                    Objects.requireNonNull(settings.get(action), () -> "no settings for the " + action + " bucket");
            limiters.put(
                    action,
                    new RateLimiter(
                            redis,
                            breaker,
                            keys,
                            row[0],
                            s.getDouble(row[1]),
                            s.getInt(row[2]),
                            fallbackEntries,
                            System::currentTimeMillis));
        }
        return new RateLimiters(limiters);
    }
}
