package dev.parley.edge.socket;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.edge.ApiException;
import dev.parley.edge.EdgeMetrics;
import dev.parley.edge.auth.BearerToken;
import dev.parley.edge.auth.Principal;
import dev.parley.edge.messaging.CommandGateway;
import dev.parley.edge.presence.PresenceHub;
import dev.parley.edge.presence.RateLimiters;
import dev.parley.edge.presence.SessionStore;
import dev.parley.edge.presence.TypingThrottle;
import dev.parley.schema.CommandLogContext;
import dev.parley.schema.ErrorCode;
import dev.parley.schema.MarkReceipt;
import dev.parley.schema.React;
import dev.parley.schema.ReactionOp;
import dev.parley.schema.ReceiptKind;
import dev.parley.schema.SendMessage;
import dev.parley.schema.Typing;
import dev.parley.schema.TypingState;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import io.undertow.websockets.WebSocketConnectionCallback;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.spi.WebSocketHttpExchange;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.XnioExecutor;

/**
 * {@code /v1/ws}: one authenticated socket per device. The user was verified before the upgrade
 * ({@link #USER}). Frames are parsed on the I/O thread; anything touching Redis or Kafka runs on the
 * connection's ordered lane, so a client's sends reach Kafka in the order it wrote them.
 *
 * <p>Bad input never closes the socket: it gets an error frame with the frame's id and a code.
 * Only a message the edge will not hold closes it ({@link BoundedReceiveListener}): text larger
 * than {@code ws.max.frame.bytes} (too_large, then 1009) and binary (1003).
 */
public final class SocketEndpoint implements WebSocketConnectionCallback {

    public static final AttachmentKey<String> USER = AttachmentKey.create(String.class);
    public static final AttachmentKey<Principal> PRINCIPAL = AttachmentKey.create(Principal.class);
    private static final Logger log = LoggerFactory.getLogger(SocketEndpoint.class);

    private final FrameParser parser;
    /** RFC 6455 7.4.1: the endpoint received a message that violates its policy. */
    static final int POLICY_VIOLATION = 1008;

    private final ServerFrames frames;
    private final Connections connections;
    private final CommandGateway commands;
    private final SessionStore sessions;
    private final TypingThrottle typing;
    private final ReceiptCoalescer receipts;
    private final PresenceHub presence;
    private final ExecutorService workers;
    private final EdgeMetrics metrics;
    private final int maxFrameBytes;
    private final int outboundQueue;
    private final long idleTimeoutMillis;
    private final int maxSubscriptions;
    private final int maxInbound;
    private final int maxSocketsPerUser;

    public SocketEndpoint(
            FrameParser parser,
            ServerFrames frames,
            Connections connections,
            CommandGateway commands,
            SessionStore sessions,
            TypingThrottle typing,
            ReceiptCoalescer receipts,
            PresenceHub presence,
            ExecutorService workers,
            EdgeMetrics metrics,
            int maxFrameBytes,
            int outboundQueue,
            long idleTimeoutMillis,
            int maxSubscriptions,
            int maxInbound,
            int maxSocketsPerUser) {
        this.parser = parser;
        this.frames = frames;
        this.connections = connections;
        this.commands = commands;
        this.sessions = sessions;
        this.typing = typing;
        this.receipts = receipts;
        this.presence = presence;
        this.workers = workers;
        this.metrics = metrics;
        this.maxFrameBytes = maxFrameBytes;
        this.outboundQueue = outboundQueue;
        this.idleTimeoutMillis = idleTimeoutMillis;
        this.maxSubscriptions = maxSubscriptions;
        this.maxInbound = maxInbound;
        this.maxSocketsPerUser = maxSocketsPerUser;
    }

    /** {@code ?early=1} (or {@code true}) on the upgrade: the client handles tentative messages. */
    private static boolean asksForEarly(WebSocketHttpExchange exchange) {
        java.util.List<String> values = exchange.getRequestParameters().get("early");
        return values != null
                && !values.isEmpty()
                && (values.get(0).equals("1") || values.get(0).equals("true"));
    }

    @Override
    public void onConnect(WebSocketHttpExchange exchange, WebSocketChannel channel) {
        String userId = exchange.getAttachment(USER);
        Principal principal = exchange.getAttachment(PRINCIPAL);
        ClientConnection connection = new ClientConnection(
                "ws-" + UUID.randomUUID(),
                userId,
                principal == null ? null : principal.displayName(),
                channel,
                workers,
                outboundQueue,
                maxInbound,
                asksForEarly(exchange),
                metrics.framesOut(),
                metrics.sendFailures(),
                metrics.slowConsumers());
        channel.setIdleTimeout(idleTimeoutMillis);
        connections.add(connection);
        metrics.connectionOpened();
        connection.lane().execute(() -> {
            try {
                sessions.register(userId, connection.id());
                presence.changed(userId, true);
            } catch (RuntimeException e) {
                // without a session entry messages still reach the user via sync; say so, keep the socket
                log.warn("cannot register session of {}: {}", userId, e.toString());
            }
        });
        channel.addCloseTask(ch -> onClose(connection));
        closeAtExpiry(channel, connection, principal);
        channel.getReceiveSetter().set(new BoundedReceiveListener(maxFrameBytes, new ConnectionFrames(connection)));
        channel.resumeReceives();
    }

    /**
     * A socket must not outlive its token: a revoked user (or a stolen token) would otherwise keep
     * receiving messages for as long as the connection lasts. The client gets {@code unauthorized}
     * and a 1008 close, and reconnects with a fresh token.
     */
    private void closeAtExpiry(WebSocketChannel channel, ClientConnection connection, Principal principal) {
        if (principal == null || principal.expiresAt() == null) {
            return;
        }
        long delay = Math.max(0, principal.expiresAt().toEpochMilli() - System.currentTimeMillis());
        XnioExecutor.Key expiry = channel.getIoThread()
                .executeAfter(
                        () -> {
                            connection.send(frames.error(null, ErrorCode.UNAUTHORIZED, "access token expired")
                                    .toString());
                            connection.refuse(POLICY_VIOLATION, "access token expired");
                        },
                        delay,
                        TimeUnit.MILLISECONDS);
        channel.addCloseTask(ch -> expiry.remove());
    }

    private void onClose(ClientConnection connection) {
        boolean last = connections.remove(connection);
        presence.unsubscribeAll(connection);
        metrics.connectionClosed();
        connection.lane().execute(() -> {
            try {
                // offline only once no edge holds a socket of the user (and never while Redis cannot tell)
                boolean offline =
                        sessions.unregister(connection.userId(), connection.id(), last, System.currentTimeMillis());
                if (last && offline) {
                    presence.changed(connection.userId(), false);
                }
            } catch (RuntimeException e) {
                log.warn("cannot unregister session of {}: {}", connection.userId(), e.toString());
            }
        });
    }

    /** What {@link BoundedReceiveListener} read from one connection, on its I/O thread. */
    private final class ConnectionFrames implements BoundedReceiveListener.Frames {
        private final ClientConnection connection;

        ConnectionFrames(ClientConnection connection) {
            this.connection = connection;
        }

        @Override
        public void text(String text) {
            if (!connection.isClosing()) {
                onClientText(connection, text);
            }
        }

        @Override
        public void tooLarge(String id, int maxBytes) {
            metrics.frameIn();
            if (!connection.isClosing()) {
                reply(connection, frames.error(id, ErrorCode.TOO_LARGE, "frame is larger than " + maxBytes + " bytes"));
                metrics.error(ErrorCode.TOO_LARGE.wire());
            }
        }

        @Override
        public void notUtf8() {
            metrics.frameIn();
            reply(connection, frames.error(null, ErrorCode.BAD_REQUEST, "a text frame must be UTF-8"));
            metrics.error(ErrorCode.BAD_REQUEST.wire());
        }

        @Override
        public void refuse(int code, String reason) {
            connection.refuse(code, reason);
        }
    }

    void onClientText(ClientConnection connection, String text) {
        metrics.frameIn();
        ClientFrame frame;
        try {
            frame = parser.parse(text);
        } catch (FrameParser.FrameException e) {
            reply(connection, frames.error(e.frameId(), e.code(), e.getMessage()));
            metrics.error(e.code().wire());
            return;
        }
        if (frame instanceof ClientFrame.Ping ping) {
            reply(connection, frames.pong(ping.id()));
            return;
        }
        connection.handleInOrder(() -> handle(connection, frame));
    }

    private void handle(ClientConnection connection, ClientFrame frame) {
        // every line logged while the frame is handled carries its ids (README, "Logs")
        try (CommandLogContext ids = CommandLogContext.open(frame.conversationId(), connection.userId(), frame.id())) {
            handleFrame(connection, frame);
        }
    }

    private void handleFrame(ClientConnection connection, ClientFrame frame) {
        String user = connection.userId();
        try {
            if (frame instanceof ClientFrame.Ack ack) {
                commands.admit(RateLimiters.Action.RECEIPTS, user);
                receipts.ack(user, ack.conversationId(), ack.seq());
            } else if (frame instanceof ClientFrame.PresenceSubscribe sub) {
                commands.admit(RateLimiters.Action.PRESENCE, user);
                for (String other : sub.users()) {
                    // an id this socket already watches gets no second reply: repeats cost nothing
                    if (connection.watch(other, maxSubscriptions)) {
                        if (presence.subscribe(connection, other)) {
                            reply(
                                    connection,
                                    frames.presence(other, sessions.isOnline(other), sessions.lastSeen(other)));
                        } else {
                            // a stranger's presence reads as a nonexistent user's: offline, never seen
                            connection.markStranger(other);
                            reply(connection, frames.presence(other, false, null));
                        }
                    } else if (connection.wasStranger(other)) {
                        // asked again: answered only if they share a conversation now, so repeats of
                        // strangers' ids still cost no replies
                        if (presence.subscribe(connection, other)) {
                            reply(
                                    connection,
                                    frames.presence(other, sessions.isOnline(other), sessions.lastSeen(other)));
                        } else {
                            connection.markStranger(other);
                        }
                    }
                }
            } else if (frame instanceof ClientFrame.Typing t) {
                // taken before the per-conversation throttle, so the frames it drops are counted too
                CommandGateway.Admission admitted = commands.admit(RateLimiters.Action.TYPING, user);
                if (typing.allow(user, t.conversationId())) {
                    publish(
                            connection,
                            admitted,
                            null,
                            t.conversationId(),
                            new Typing(t.start() ? TypingState.START : TypingState.STOP));
                }
            } else if (frame instanceof ClientFrame.Send s) {
                // the shape first, then the token, then what the message names (its media, its mentions)
                commands.checkMessage(s.body(), s.media(), s.replyTo());
                CommandGateway.Admission admitted = commands.admitCommand(user);
                SendMessage message =
                        commands.message(admitted, s.id(), s.body(), s.media(), s.replyTo(), connection.displayName());
                metrics.sendStarted(connection.id(), s.id());
                try {
                    publish(connection, admitted, s.id(), s.conversationId(), message);
                } catch (ApiException e) {
                    metrics.sendRefused(connection.id(), s.id());
                    throw e;
                }
            } else {
                // built (and a malformed edit refused) before the token: these name nothing to look up
                Object payload = command(frame, user);
                publish(connection, commands.admitCommand(user), frame.id(), frame.conversationId(), payload);
            }
        } catch (ApiException e) {
            reply(connection, frames.error(frame.id(), e.code(), e.getMessage()));
            metrics.error(e.code().wire());
        } catch (RuntimeException e) {
            log.warn("frame from {} failed: {}", user, e.toString());
            reply(connection, frames.error(frame.id(), ErrorCode.UNAVAILABLE, "try again"));
            metrics.error(ErrorCode.UNAVAILABLE.wire());
        }
    }

    /** The command of a frame that is neither a send nor handled on its own (ack, presence, typing). */
    private Object command(ClientFrame frame, String user) {
        if (frame instanceof ClientFrame.Read r) {
            return new MarkReceipt(ReceiptKind.READ, r.seq());
        } else if (frame instanceof ClientFrame.React r) {
            return new React(r.seq(), r.emoji(), r.add() ? ReactionOp.ADD : ReactionOp.REMOVE);
        } else if (frame instanceof ClientFrame.Edit e) {
            return commands.edit(e.id(), e.seq(), e.body());
        } else if (frame instanceof ClientFrame.Delete d) {
            return commands.delete(d.id(), d.seq());
        } else if (frame instanceof ClientFrame.Join) {
            return commands.join();
        } else if (frame instanceof ClientFrame.Leave) {
            return commands.leave(user);
        }
        throw new IllegalArgumentException("no command for " + frame.getClass().getSimpleName());
    }

    /** Produces the command; a failed produce is an error frame: the client retries with the same id. */
    private void publish(
            ClientConnection connection,
            CommandGateway.Admission admitted,
            String clientId,
            String conversationId,
            Object payload) {
        // with no client id there is nobody to answer: no origin connection, no ack
        commands.submit(admitted, conversationId, clientId == null ? null : connection.id(), clientId, payload)
                .whenComplete((ok, error) -> {
                    if (error != null) {
                        reply(
                                connection,
                                frames.error(
                                        clientId,
                                        ErrorCode.UNAVAILABLE,
                                        "not accepted, retry with the same id: "
                                                + error.getClass().getSimpleName()));
                        metrics.error(ErrorCode.UNAVAILABLE.wire());
                    }
                });
    }

    private void reply(ClientConnection connection, ObjectNode frame) {
        connection.send(frame.toString());
    }

    /**
     * Whether {@code userId} may open another socket ({@code sockets.per.user.max}): every socket
     * costs a session entry, a lane and buffers, so one account must not open thousands. Counted
     * across edges in the session hash; while Redis is down, on this edge. Upgrades racing each other
     * may pass together: the cap is approximate by that many. Not on an I/O thread (Redis).
     */
    public boolean mayConnect(String userId) {
        long open;
        try {
            open = sessions.socketCount(userId);
        } catch (ApiException e) {
            open = connections.ofUser(userId).size();
        }
        return open < maxSocketsPerUser;
    }

    public int maxSocketsPerUser() {
        return maxSocketsPerUser;
    }

    /** Refuses the upgrade with 401 and a JSON error unless the request carries a valid token. */
    public static boolean authenticate(
            HttpServerExchange exchange, java.util.function.Function<String, Principal> verify) {
        try {
            Principal principal = verify.apply(BearerToken.fromUpgrade(exchange));
            exchange.putAttachment(USER, principal.userId());
            exchange.putAttachment(PRINCIPAL, principal);
            return true;
        } catch (ApiException e) {
            return false;
        }
    }
}
