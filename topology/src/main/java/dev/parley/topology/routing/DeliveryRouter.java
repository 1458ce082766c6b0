package dev.parley.topology.routing;

import dev.parley.schema.ConversationEvent;
import dev.parley.schema.Delivery;
import dev.parley.schema.MessageDeleted;
import dev.parley.schema.MessagePosted;
import dev.parley.schema.Notification;
import dev.parley.schema.Origin;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Fans a payload out to the edges its audience is connected to.
 *
 * <p>In: {@link RoutingRequest} keyed by conversation id. Out: one {@link EdgeDelivery} per live edge
 * that holds any recipient (to {@link #DELIVERY_SINK}), listing that edge's recipients, so a
 * 1,000-member group on 10 edges costs 10 records; the origin edge always gets one carrying the
 * origin, even with no recipients on it. Offline recipients of a message other than its sender
 * become {@link Notification}s keyed by user id (to {@link #NOTIFY_SINK}).
 *
 * <p>When sessions cannot be looked up (Redis down or its breaker open) the payload goes to every
 * edge the directory last knew alive, plus the origin edge, each listing the whole audience: an
 * edge delivers to the recipients it has sockets for and drops the rest, so live chat goes on at the
 * cost of bigger records. Everyone but the sender also gets a notification then (nobody is known to
 * be online); clients dedup a message they get both ways by (conversation, seq).
 *
 * <p>Delivery is at least once and best effort: the event log, not this output, is the record of
 * truth, and clients fill gaps by seq.
 */
public final class DeliveryRouter extends ContextualProcessor<String, RoutingRequest, String, Object> {

    public static final String DELIVERY_SINK = "delivery-sink";
    public static final String NOTIFY_SINK = "notify-sink";

    private final SessionDirectory sessions;
    private final int previewChars;

    public DeliveryRouter(SessionDirectory sessions, int previewChars) {
        this.sessions = sessions;
        this.previewChars = previewChars;
    }

    @Override
    public void process(Record<String, RoutingRequest> record) {
        RoutingRequest request = record.value();
        Origin origin = answerable(request.origin()) ? request.origin() : null;
        Map<String, Set<String>> byEdge;
        Set<String> online;
        if (request.audience().isEmpty()) {
            byEdge = Map.of();
            online = Set.of();
        } else {
            try {
                byEdge = new TreeMap<>(sessions.locate(request.audience()));
                online = online(byEdge);
            } catch (SessionDirectory.UnavailableException e) {
                byEdge = everyKnownEdge(request);
                online = Set.of();
            }
        }
        Set<String> fanout = new HashSet<>(request.channelEdges());
        Set<String> edges = new TreeSet<>(byEdge.keySet());
        edges.addAll(fanout);
        for (String edge : edges) {
            Origin originHere = origin != null && origin.getEdgeId().equals(edge) ? origin : null;
            List<String> recipients = new ArrayList<>(new TreeSet<>(byEdge.getOrDefault(edge, Set.of())));
            forwardDelivery(record, edge, recipients, originHere, request, fanout.contains(edge));
        }
        if (origin != null && !edges.contains(origin.getEdgeId())) {
            forwardDelivery(record, origin.getEdgeId(), List.of(), origin, request, false);
        }
        if (request.notifyAs() != null && request.payload() instanceof ConversationEvent event) {
            notifyOffline(record, request, event, online);
        }
    }

    private Map<String, Set<String>> everyKnownEdge(RoutingRequest request) {
        Set<String> everyone = new TreeSet<>(request.audience());
        Map<String, Set<String>> byEdge = new TreeMap<>();
        for (String edge : sessions.knownLiveEdges()) {
            byEdge.put(edge, everyone);
        }
        if (request.origin() != null) {
            byEdge.put(request.origin().getEdgeId(), everyone); // it just sent this command: alive
        }
        return byEdge;
    }

    private void forwardDelivery(
            Record<String, RoutingRequest> record,
            String edgeId,
            List<String> recipients,
            Origin origin,
            RoutingRequest request,
            boolean channelFanout) {
        Delivery delivery =
                new Delivery(request.conversationId(), recipients, origin, request.payload(), channelFanout);
        context().forward(record.withValue(new EdgeDelivery(edgeId, delivery)), DELIVERY_SINK);
    }

    private void notifyOffline(
            Record<String, RoutingRequest> record,
            RoutingRequest request,
            ConversationEvent event,
            Set<String> online) {
        if (event.getPayload() instanceof MessageDeleted deleted) {
            retractHeld(record, request, event, deleted);
            return;
        }
        if (!(event.getPayload() instanceof MessagePosted posted)) {
            return;
        }
        // a mentioned member is always notified; others only while offline, and in a channel never
        // (its audience lists nobody: subscribers read from history)
        Set<String> mentioned = new TreeSet<>(posted.getMentions());
        Set<String> notified = new java.util.LinkedHashSet<>();
        for (String user : request.audience()) {
            if (!online.contains(user)) {
                notified.add(user);
            }
        }
        notified.addAll(mentioned);
        for (String user : notified) {
            if (user.equals(event.getActor())) {
                continue;
            }
            Notification notification = new Notification(
                    user,
                    request.conversationId(),
                    request.notifyAs().type(),
                    request.notifyAs().name(),
                    event.getSeq(),
                    posted.getMessageId(),
                    event.getActor(),
                    preview(posted.getBody()),
                    event.getTs(),
                    posted.getSenderName(),
                    false,
                    mentioned.contains(user));
            context().forward(record.withKey(user).withValue(notification), NOTIFY_SINK);
        }
    }

    /**
     * A message deleted for everyone: every member but the one who deleted it hears so on the
     * notify topic, online or not (who was offline when it was posted is not known here), so a push
     * held back for it (quiet hours, coalescing) never shows its text. Bounded by the member cap.
     */
    private void retractHeld(
            Record<String, RoutingRequest> record,
            RoutingRequest request,
            ConversationEvent event,
            MessageDeleted deleted) {
        for (String user : request.audience()) {
            if (user.equals(event.getActor())) {
                continue;
            }
            Notification retraction = new Notification(
                    user,
                    request.conversationId(),
                    request.notifyAs().type(),
                    request.notifyAs().name(),
                    deleted.getTargetSeq(),
                    0L,
                    event.getActor(),
                    null,
                    event.getTs(),
                    null,
                    true,
                    false);
            context().forward(record.withKey(user).withValue(retraction), NOTIFY_SINK);
        }
    }

    private String preview(String body) {
        if (body.codePointCount(0, body.length()) <= previewChars) {
            return body;
        }
        return body.substring(0, body.offsetByCodePoints(0, previewChars)) + "…";
    }

    private static boolean answerable(Origin origin) {
        return origin != null && origin.getConnectionId() != null;
    }

    private static Set<String> online(Map<String, Set<String>> byEdge) {
        Set<String> online = new HashSet<>();
        byEdge.values().forEach(online::addAll);
        return online;
    }
}
