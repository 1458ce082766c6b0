package dev.parley.edge;

import dev.parley.edge.auth.TokenService;
import dev.parley.edge.http.AccountEndpoints;
import dev.parley.edge.http.ApiHandler;
import dev.parley.edge.http.ConversationEndpoints;
import dev.parley.edge.http.DeviceEndpoints;
import dev.parley.edge.http.HistoryEndpoints;
import dev.parley.edge.http.JsonExchange;
import dev.parley.edge.http.StatusEndpoints;
import dev.parley.edge.socket.SocketEndpoint;
import dev.parley.schema.ErrorCode;
import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.server.RoutingHandler;
import io.undertow.websockets.WebSocketProtocolHandshakeHandler;
import java.net.InetSocketAddress;

/** Owns Undertow: the routes of protocol v1 (DESIGN section 5) on one port, HTTP and WebSocket. */
public final class EdgeServer implements AutoCloseable {

    private final Undertow undertow;

    public EdgeServer(
            String host,
            int port,
            TokenService tokens,
            JsonExchange io,
            AccountEndpoints accounts,
            ConversationEndpoints conversations,
            StatusEndpoints status,
            HistoryEndpoints history,
            DeviceEndpoints devices,
            SocketEndpoint sockets) {
        WebSocketProtocolHandshakeHandler upgrade = Handlers.websocket(sockets);
        HttpHandler authenticateThenUpgrade = exchange -> {
            if (SocketEndpoint.authenticate(exchange, tokens::authenticate)) {
                upgrade.handleRequest(exchange);
            } else {
                io.error(exchange, ErrorCode.UNAUTHORIZED, "missing, invalid or expired access token");
            }
        };
        // verifying an external issuer's token may fetch its JWKS over the network: not on an I/O thread
        HttpHandler socketRoute = exchange -> exchange.dispatch(authenticateThenUpgrade);
        RoutingHandler routes = Handlers.routing()
                .get("/v1/ws", socketRoute)
                .post("/v1/users", ApiHandler.open(accounts::createUser, io))
                .post("/v1/tokens", ApiHandler.open(accounts::createToken, io))
                .post("/v1/conversations", ApiHandler.authenticated(conversations::create, tokens, io))
                .get("/v1/conversations", ApiHandler.authenticated(history::conversations, tokens, io))
                .get("/v1/conversations/{id}/messages", ApiHandler.authenticated(history::messages, tokens, io))
                .post("/v1/conversations/{id}/messages", ApiHandler.authenticated(conversations::send, tokens, io))
                .post("/v1/conversations/{id}/members", ApiHandler.authenticated(conversations::addMembers, tokens, io))
                .delete(
                        "/v1/conversations/{id}/members/{user}",
                        ApiHandler.authenticated(conversations::removeMember, tokens, io))
                .post("/v1/devices", ApiHandler.authenticated(devices::register, tokens, io))
                .delete("/v1/devices/{id}", ApiHandler.authenticated(devices::remove, tokens, io))
                .put("/v1/notification-settings", ApiHandler.authenticated(devices::updateSettings, tokens, io))
                .get("/v1/users/{id}/presence", ApiHandler.authenticated(status::presence, tokens, io))
                .get("/healthz", ApiHandler.open(status::healthz, io))
                .get("/readyz", ApiHandler.open(status::readyz, io))
                .get("/metrics", ApiHandler.open(status::metrics, io))
                .setFallbackHandler(exchange -> io.error(exchange, ErrorCode.NOT_FOUND, "no such endpoint"))
                .setInvalidMethodHandler(
                        exchange -> io.error(exchange, 405, "method_not_allowed", "method not allowed"));
        this.undertow = Undertow.builder()
                .addHttpListener(port, host)
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
    }
}
