package dev.parley.edge.messaging;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What this edge showed early (tentatively, before ConversationTopology's transaction committed),
 * and how each early frame ends: the committed record at the same (conversation, seq) either
 * carries the same frame (confirmed) or another message, which replaces it; or the committed reader passes the early record's offset without
 * having read it (its transaction aborted) and no committed copy came first, and the early frame is
 * {@linkplain #passed retracted}.
 *
 * <p>Both readers of the delivery partition meet here, under one lock. The early reader's
 * {@link #show} runs the send under the lock and only for an offset the committed reader has not
 * reached, so a socket never gets an early frame after the committed one, and every early frame
 * precedes its confirmation. Bounded: at most {@code maxPending} early frames wait for their outcome;
 * past that, messages go out committed only (as to a client that did not ask for early frames).
 *
 * @param <T> a socket, as the caller knows it
 */
final class TentativeLedger<T> {

    /**
     * What the committed reader sends for one committed message: {@code confirm} got the same frame
     * early ({@code confirmed} settles it), {@code deliver} get the committed frame (they saw nothing
     * early, or saw another message at that seq, which the committed one replaces), {@code retract}
     * saw it early but are not among the committed recipients; {@code replaced} of {@code deliver}
     * had seen another message at that seq.
     */
    record Settlement<T>(List<T> confirm, List<T> deliver, List<T> retract, int replaced) {}

    /** An early frame whose transaction aborted with nothing committed at its seq yet. */
    record Retracted<T>(String conversationId, long seq, String messageId, List<T> shownTo) {}

    private record Key(String conversationId, long seq) {}

    private record Shown<T>(long offset, Key key, String messageId, byte[] digest, List<T> shownTo) {}

    private final int maxPending;
    private final int maxSockets;
    private final Map<Key, Shown<T>> byKey = new HashMap<>();
    private final TreeMap<Long, Shown<T>> byOffset = new TreeMap<>();
    /** The next offset the committed reader will read: early frames below it are too late. */
    private long committedNext = -1;

    /**
     * @param maxPending early frames that may wait for their outcome at once
     * @param maxSockets the most sockets one message is shown early to: each waiting frame holds
     *     its sockets, so a bigger fan-out (a large channel) goes out committed only
     */
    TentativeLedger(int maxPending, int maxSockets) {
        this.maxPending = maxPending;
        this.maxSockets = maxSockets;
    }

    /**
     * Runs {@code send} (the early frame to {@code shownTo}) and remembers it, unless the committed
     * reader already passed {@code offset}, the message at that seq is already shown early,
     * {@code maxPending} early frames wait, or it would go to more than {@code maxSockets} sockets.
     * Returns whether it was shown.
     */
    synchronized boolean show(
            long offset,
            String conversationId,
            long seq,
            String messageId,
            String committedFrame,
            List<T> shownTo,
            Runnable send) {
        Key key = new Key(conversationId, seq);
        if (offset < committedNext
                || byOffset.size() >= maxPending
                || shownTo.size() > maxSockets
                || byKey.containsKey(key)) {
            return false;
        }
        send.run();
        Shown<T> shown = new Shown<>(offset, key, messageId, digest(committedFrame), List.copyOf(shownTo));
        byKey.put(key, shown);
        byOffset.put(offset, shown);
        return true;
    }

    /**
     * The committed reader read {@code frame} for (conversation, seq) at {@code offset}, to go to
     * {@code targets}: who gets a confirmation, the frame, or a retraction.
     */
    synchronized Settlement<T> committed(long offset, String conversationId, long seq, String frame, List<T> targets) {
        committedNext = Math.max(committedNext, offset + 1);
        Shown<T> shown = byKey.remove(new Key(conversationId, seq));
        if (shown == null) {
            return new Settlement<>(List.of(), targets, List.of(), 0);
        }
        byOffset.remove(shown.offset());
        boolean same = Arrays.equals(shown.digest(), digest(frame));
        Set<T> early = Collections.newSetFromMap(new IdentityHashMap<>());
        early.addAll(shown.shownTo());
        Set<T> committedTo = Collections.newSetFromMap(new IdentityHashMap<>());
        committedTo.addAll(targets);
        List<T> confirm = new ArrayList<>();
        List<T> deliver = new ArrayList<>();
        int replaced = 0;
        for (T target : targets) {
            boolean sawIt = early.contains(target);
            (same && sawIt ? confirm : deliver).add(target);
            replaced += !same && sawIt ? 1 : 0;
        }
        List<T> retract =
                shown.shownTo().stream().filter(t -> !committedTo.contains(t)).toList();
        return new Settlement<>(confirm, deliver, retract, replaced);
    }

    /**
     * The committed reader's position is {@code position}: every early frame still waiting at an
     * offset below it was in a transaction that aborted (a committed reader skips only those), and
     * comes back to be retracted. A replay that commits the same message later delivers it as a new
     * {@code message} frame.
     */
    synchronized List<Retracted<T>> passed(long position) {
        committedNext = Math.max(committedNext, position);
        List<Retracted<T>> out = new ArrayList<>();
        Iterator<Shown<T>> below = byOffset.headMap(position).values().iterator();
        while (below.hasNext()) {
            Shown<T> shown = below.next();
            below.remove();
            byKey.remove(shown.key());
            out.add(new Retracted<>(
                    shown.key().conversationId(), shown.key().seq(), shown.messageId(), shown.shownTo()));
        }
        return out;
    }

    synchronized int pending() {
        return byOffset.size();
    }

    private static byte[] digest(String frame) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(frame.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
