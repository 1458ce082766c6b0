package dev.parley.edge;

import dev.parley.edge.auth.TokenService;
import dev.parley.edge.http.AccountEndpoints;
import dev.parley.edge.http.ApiHandler;
import dev.parley.edge.http.ConversationEndpoints;
import dev.parley.edge.http.DeviceEndpoints;
import dev.parley.edge.http.DirectoryEndpoints;
import dev.parley.edge.http.HistoryEndpoints;
import dev.parley.edge.http.JsonExchange;
import dev.parley.edge.http.MediaEndpoints;
import dev.parley.edge.http.SearchEndpoints;
import dev.parley.edge.http.StatusEndpoints;
import dev.parley.edge.http.TusEndpoints;
import dev.parley.edge.http.WebPage;
import dev.parley.edge.socket.SocketEndpoint;
import dev.parley.schema.ErrorCode;
import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import io.undertow.server.RoutingHandler;
import io.undertow.websockets.WebSocketProtocolHandshakeHandler;
import java.net.InetSocketAddress;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Owns Undertow: the routes of protocol v1 (DESIGN section 5) on one port, HTTP and WebSocket, and
 * the threads they run on. {@code /healthz} answers on the I/O thread; {@code /readyz} and {@code
 * /metrics} on a small pool of their own; socket upgrades on Undertow's worker; every API endpoint
 * on one bounded pool that answers 503 when full. So no amount of slow API work (a history scan,
 * a send waiting for its ack) takes the threads health checks and new sockets need.
 */
public final class EdgeServer implements AutoCloseable {

    private static final int STATUS_THREADS = 2;
    private static final int STATUS_QUEUE = 32;

    private final Undertow undertow;
    private final ExecutorService api;
    private final ExecutorService status;
    private final ExecutorService uploads;
    private final ExecutorService downloads;

    public EdgeServer(
            String host,
            int port,
            TokenService tokens,
            JsonExchange io,
            AccountEndpoints accounts,
            ConversationEndpoints conversations,
            StatusEndpoints statusEndpoints,
            HistoryEndpoints history,
            SearchEndpoints search,
            MediaEndpoints media,
            TusEndpoints tus,
            int mediaTransfers,
            DeviceEndpoints devices,
            DirectoryEndpoints directory,
            SocketEndpoint sockets,
            int apiThreads,
            int apiQueue,
            int requestParseTimeoutMs,
            int noRequestTimeoutMs) {
        this.api = boundedPool("parley-edge-http", apiThreads, apiQueue);
        this.status = boundedPool("parley-edge-status", STATUS_THREADS, STATUS_QUEUE);
        // an upload or download holds its thread for as long as the bytes take: pools of their own,
        // without a queue, so the transfer past media.uploads.max.concurrent is 503 at once and the
        // API pool stays free for everything else
        this.uploads = boundedPool("parley-edge-upload", mediaTransfers, 0);
        this.downloads = boundedPool("parley-edge-download", 2 * mediaTransfers, 0);
        WebSocketProtocolHandshakeHandler upgrade = Handlers.websocket(sockets);
        HttpHandler authenticateThenUpgrade = exchange -> {
            if (!SocketEndpoint.authenticate(exchange, tokens::authenticate)) {
                io.error(exchange, ErrorCode.UNAUTHORIZED, "missing, invalid or expired access token");
            } else if (!sockets.mayConnect(exchange.getAttachment(SocketEndpoint.USER))) {
                io.error(
                        exchange,
                        ErrorCode.RATE_LIMITED,
                        "a user has at most " + sockets.maxSocketsPerUser() + " open sockets: close one first");
            } else {
                upgrade.handleRequest(exchange);
            }
        };
        // verifying an external issuer's token may fetch its JWKS over the network: not on an I/O thread
        HttpHandler socketRoute = exchange -> exchange.dispatch(authenticateThenUpgrade);
        WebPage page = new WebPage(io);
        RoutingHandler routes = Handlers.routing()
                .get("/v1/ws", socketRoute)
                .post("/v1/users", ApiHandler.open(accounts::createUser, io, api))
                .post("/v1/tokens", ApiHandler.open(accounts::createToken, io, api))
                .post("/v1/conversations", ApiHandler.authenticated(conversations::create, tokens, io, api))
                .get("/v1/conversations", ApiHandler.authenticated(history::conversations, tokens, io, api))
                .get("/v1/conversations/{id}/messages", ApiHandler.authenticated(history::messages, tokens, io, api))
                .get("/v1/conversations/{id}/changes", ApiHandler.authenticated(history::changes, tokens, io, api))
                .get(
                        "/v1/conversations/{id}/messages/{seq}/erasure",
                        ApiHandler.authenticated(history::erasure, tokens, io, api))
                .get("/v1/search", ApiHandler.authenticated(search::searchMine, tokens, io, api))
                .get(
                        "/v1/conversations/{id}/search",
                        ApiHandler.authenticated(search::searchConversation, tokens, io, api))
                .post("/v1/conversations/{id}/messages", ApiHandler.authenticated(conversations::send, tokens, io, api))
                .post("/v1/conversations/{id}/join", ApiHandler.authenticated(conversations::join, tokens, io, api))
                .post("/v1/conversations/{id}/leave", ApiHandler.authenticated(conversations::leave, tokens, io, api))
                .add(
                        "PATCH",
                        "/v1/conversations/{id}/messages/{seq}",
                        ApiHandler.authenticated(conversations::edit, tokens, io, api))
                .delete(
                        "/v1/conversations/{id}/messages/{seq}",
                        ApiHandler.authenticated(conversations::deleteMessage, tokens, io, api))
                .put("/v1/conversations/{id}", ApiHandler.authenticated(conversations::update, tokens, io, api))
                .post(
                        "/v1/conversations/{id}/members",
                        ApiHandler.authenticated(conversations::addMembers, tokens, io, api))
                .delete(
                        "/v1/conversations/{id}/members/{user}",
                        ApiHandler.authenticated(conversations::removeMember, tokens, io, api))
                .post("/v1/media", ApiHandler.authenticated(media::upload, tokens, io, uploads))
                .get("/v1/media/{id}", ApiHandler.authenticated(media::download, tokens, io, downloads))
                .get("/v1/media/{id}/thumbnail", ApiHandler.authenticated(media::thumbnail, tokens, io, downloads))
                // tus 1.0 (resumable uploads); discovery is public, as tus clients expect
                .add("OPTIONS", "/v1/uploads", ApiHandler.open(tus::options, io, null))
                .post("/v1/uploads", ApiHandler.authenticated(tus::create, tokens, io, api))
                .add("HEAD", "/v1/uploads/{id}", ApiHandler.authenticated(tus::head, tokens, io, api))
                .add("PATCH", "/v1/uploads/{id}", ApiHandler.authenticated(tus::patch, tokens, io, uploads))
                .get("/v1/uploads/{id}", ApiHandler.authenticated(tus::result, tokens, io, api))
                .delete("/v1/uploads/{id}", ApiHandler.authenticated(tus::terminate, tokens, io, api))
                .post("/v1/devices", ApiHandler.authenticated(devices::register, tokens, io, api))
                .delete("/v1/devices/{id}", ApiHandler.authenticated(devices::remove, tokens, io, api))
                .get("/v1/push/vapid-public-key", ApiHandler.open(devices::vapidPublicKey, io, null))
                .put("/v1/notification-settings", ApiHandler.authenticated(devices::updateSettings, tokens, io, api))
                .get("/v1/users", ApiHandler.authenticated(directory::findByUsername, tokens, io, api))
                .get("/v1/channels", ApiHandler.authenticated(directory::channels, tokens, io, api))
                .get(
                        "/v1/conversations/{id}/messages/{seq}/receipts",
                        ApiHandler.authenticated(directory::receiptCounts, tokens, io, api))
                .get("/v1/conversations/{id}/members", ApiHandler.authenticated(directory::members, tokens, io, api))
                .get("/v1/users/{id}/presence", ApiHandler.authenticated(statusEndpoints::presence, tokens, io, api))
                .get("/healthz", ApiHandler.open(statusEndpoints::healthz, io, null))
                .get("/readyz", ApiHandler.open(statusEndpoints::readyz, io, status))
                .get("/metrics", ApiHandler.open(statusEndpoints::metrics, io, status))
                // the API keeps its JSON 404 for any path under /v1; everything else may be a file of the page
                .setFallbackHandler(exchange -> {
                    if (exchange.getRelativePath().startsWith("/v1/")
                            || exchange.getRelativePath().equals("/v1")) {
                        io.error(exchange, ErrorCode.NOT_FOUND, "no such endpoint");
                    } else {
                        page.handleRequest(exchange);
                    }
                })
                .setInvalidMethodHandler(
                        exchange -> io.error(exchange, 405, "method_not_allowed", "method not allowed"));
        this.undertow = Undertow.builder()
                .addHttpListener(port, host)
                // slowloris: a connection trickling its request line and headers, or holding a
                // connection open without a request, would otherwise keep a socket and buffers forever
                .setServerOption(UndertowOptions.REQUEST_PARSE_TIMEOUT, requestParseTimeoutMs)
                .setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, noRequestTimeoutMs)
                .setHandler(routes)
                .build();
    }

    public void start() {
        undertow.start();
    }

    public int port() {
        return ((InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort();
    }

    @Override
    public void close() {
        undertow.stop();
        api.shutdownNow();
        status.shutdownNow();
        uploads.shutdownNow();
        downloads.shutdownNow();
    }

    /**
     * Fixed threads and a bounded queue (0: none, a task runs only on a free thread); a full queue
     * rejects, which the handler answers with 503.
     */
    private static ExecutorService boundedPool(String name, int threads, int queue) {
        AtomicInteger count = new AtomicInteger();
        return new ThreadPoolExecutor(
                threads,
                threads,
                0,
                TimeUnit.MILLISECONDS,
                queue == 0 ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(queue),
                r -> {
                    Thread t = new Thread(r, name + "-" + count.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
    }
}
