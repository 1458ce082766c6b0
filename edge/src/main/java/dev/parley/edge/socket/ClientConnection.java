package dev.parley.edge.socket;

import io.micrometer.core.instrument.Counter;
import io.undertow.websockets.core.WebSocketCallback;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.WebSockets;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.xnio.IoUtils;

/**
 * One client socket: its user, its ordered task lane, and a bounded outbound queue. A client that
 * does not read falls behind; past {@code maxQueued} unsent frames it is closed with 1013 and a
 * reason rather than allowed to fill the heap.
 */
public final class ClientConnection {

    static final int TRY_AGAIN_LATER = 1013;

    private final String id;
    private final String userId;
    private final String displayName;
    private final WebSocketChannel channel;
    private final Executor lane;
    private final int maxQueued;
    private final AtomicInteger queued = new AtomicInteger();
    private final Counter framesOut;
    private final Counter sendFailures;
    private final Counter slowConsumers;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final InboundLane inbound;
    private final boolean early;
    /** Users this socket watches (presence.subscribe); touched only on the lane. */
    private final Set<String> watched = new HashSet<>();
    /** The watched ids that were strangers' when subscribed; a subset of {@link #watched}. */
    private final Set<String> strangers = new HashSet<>();

    ClientConnection(
            String id,
            String userId,
            String displayName,
            WebSocketChannel channel,
            Executor pool,
            int maxQueued,
            int maxInbound,
            boolean early,
            Counter framesOut,
            Counter sendFailures,
            Counter slowConsumers) {
        this.id = id;
        this.userId = userId;
        this.displayName = displayName;
        this.channel = channel;
        this.lane = new SerialExecutor(pool);
        this.inbound = new InboundLane(lane, maxInbound, channel::suspendReceives, channel::resumeReceives);
        this.maxQueued = maxQueued;
        this.early = early;
        this.framesOut = framesOut;
        this.sendFailures = sendFailures;
        this.slowConsumers = slowConsumers;
    }

    public String id() {
        return id;
    }

    public String userId() {
        return userId;
    }

    /** From the token; null if it carried none. */
    public String displayName() {
        return displayName;
    }

    /** Whether the socket asked for early (tentative) messages: {@code /v1/ws?early=1}. */
    public boolean wantsEarly() {
        return early;
    }

    /** Work for this connection that must keep frame order (anything that produces commands). */
    public Executor lane() {
        return lane;
    }

    /** A client frame to handle on the lane, counted against {@code ws.max.inbound.queue}. */
    void handleInOrder(Runnable frame) {
        inbound.execute(frame);
    }

    /**
     * Starts watching {@code userId}'s presence; false if this socket already does. On the lane.
     *
     * @throws dev.parley.edge.ApiException {@code too_large} once the socket watches {@code max} users
     */
    boolean watch(String userId, int max) {
        if (watched.contains(userId)) {
            return false;
        }
        if (watched.size() >= max) {
            throw new dev.parley.edge.ApiException(
                    dev.parley.schema.ErrorCode.TOO_LARGE, "a socket watches at most " + max + " users");
        }
        return watched.add(userId);
    }

    /**
     * Marks a watched id as a stranger's (no shared conversation when subscribed): a repeat subscribe
     * is checked again rather than ignored, so presence shows once they share one. On the lane.
     */
    void markStranger(String userId) {
        strangers.add(userId);
    }

    /** True (and forgotten) if {@code userId} was watched as a stranger. On the lane. */
    boolean wasStranger(String userId) {
        return strangers.remove(userId);
    }

    public void send(String text) {
        if (queued.incrementAndGet() > maxQueued) {
            queued.decrementAndGet();
            closeSlowConsumer();
            return;
        }
        WebSockets.sendText(text, channel, new WebSocketCallback<Void>() {
            @Override
            public void complete(WebSocketChannel ch, Void context) {
                queued.decrementAndGet();
                framesOut.increment();
            }

            @Override
            public void onError(WebSocketChannel ch, Void context, Throwable throwable) {
                queued.decrementAndGet();
                sendFailures.increment();
            }
        });
    }

    public void close(int code, String reason) {
        WebSockets.sendClose(code, reason, channel, null);
    }

    /**
     * A client that stopped reading cannot read a close frame either: send 1013 with the reason
     * for a client that is merely slow, and drop the connection if it is still open a moment later.
     */
    private void closeSlowConsumer() {
        if (refuse(TRY_AGAIN_LATER, "slow consumer: more than " + maxQueued + " frames unread")) {
            slowConsumers.increment();
        }
    }

    /**
     * Closes with {@code code} and a reason, and drops the connection if the client has not
     * completed the close a moment later (a client that stopped reading, or one still streaming a
     * huge frame, would otherwise hold it). Frames arriving meanwhile are ignored. False if the
     * connection was already closing.
     */
    boolean refuse(int code, String reason) {
        if (!closing.compareAndSet(false, true)) {
            return false;
        }
        close(code, reason);
        channel.getIoThread().executeAfter(() -> IoUtils.safeClose(channel), 2, TimeUnit.SECONDS);
        return true;
    }

    /** True once the edge has decided to close this connection: its further frames are ignored. */
    boolean isClosing() {
        return closing.get();
    }

    public boolean isOpen() {
        return channel.isOpen();
    }
}
