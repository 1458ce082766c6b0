package dev.parley.topology;

import dev.parley.schema.Command;
import dev.parley.schema.CommandLogContext;
import dev.parley.schema.CommandRejected;
import dev.parley.schema.ConversationType;
import dev.parley.schema.ConversationUpdated;
import dev.parley.schema.ErrorCode;
import dev.parley.schema.MarkReceipt;
import dev.parley.schema.MembersChanged;
import dev.parley.schema.MessageDeleted;
import dev.parley.schema.MessageEdited;
import dev.parley.schema.MessagePosted;
import dev.parley.schema.ReactionChanged;
import dev.parley.schema.ReadMarker;
import dev.parley.schema.ReceiptAdvanced;
import dev.parley.schema.ReceiptKind;
import dev.parley.schema.RetentionChanged;
import dev.parley.topology.conversation.CommandInput;
import dev.parley.topology.conversation.ConversationRules;
import dev.parley.topology.conversation.ConversationState;
import dev.parley.topology.conversation.MessageIds;
import dev.parley.topology.conversation.Outcome;
import dev.parley.topology.routing.RoutingRequest;
import dev.parley.topology.store.ConversationMeta;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The conversation state machine: dedup, validate, sequence.
 *
 * <p>In: {@link Command} keyed by conversation id. Out: new {@link
 * dev.parley.schema.ConversationEvent}s to {@link #EVENTS_SINK}, and for every command a {@link
 * RoutingRequest} to {@link #ROUTER} (the event for the members, or the ack / rejection for the
 * origin only, or a typing signal); a {@link ReadMarker} keyed by user to {@link #READS_SINK} when a
 * read watermark advanced.
 *
 * <p>Every output is a function of the stores and the input record (its timestamp, partition and
 * offset), never of the wall clock, so a replay after an aborted transaction writes the same bytes.
 */
final class ConversationProcessor extends ContextualProcessor<String, Command, String, Object> {

    static final String EVENTS_SINK = "events-sink";
    static final String ROUTER = "delivery-router";
    static final String READS_SINK = "reads-sink";

    private static final Logger log = LoggerFactory.getLogger(ConversationProcessor.class);

    private final TopologyConfig config;
    private final IdleCommit idleCommit;
    private ConversationState state;
    private ConversationRules rules;

    ConversationProcessor(TopologyConfig config, IdleCommit idleCommit) {
        this.config = config;
        this.idleCommit = idleCommit;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        super.init(context);
        state = new ConversationState(
                context.getStateStore(ConversationTopology.META_STORE),
                context.getStateStore(ConversationTopology.SEQ_STORE),
                context.getStateStore(ConversationTopology.DEDUP_STORE),
                context.getStateStore(ConversationTopology.RECEIPTS_STORE),
                context.getStateStore(ConversationTopology.REACTIONS_STORE),
                context.getStateStore(ConversationTopology.VERSION_STORE),
                context.getStateStore(ConversationTopology.MESSAGE_INDEX_STORE),
                context.getStateStore(ConversationTopology.DELETED_STORE),
                context.getStateStore(ConversationTopology.CHANNEL_MEMBERS_STORE),
                context.getStateStore(ConversationTopology.CHANNEL_INTEREST_STORE),
                config.dedupWindow(),
                config.messageIndexRetention());
        rules = new ConversationRules(state, config);
    }

    @Override
    public void process(Record<String, Command> record) {
        Command command = record.value();
        // every line logged while this command is processed carries its ids (README, "Logs")
        try (CommandLogContext ids = CommandLogContext.open(
                record.key(),
                command.getSender(),
                command.getOrigin() == null ? null : command.getOrigin().getClientId())) {
            process(record, command);
        }
        if (idleCommit.afterRecord(record.timestamp(), context().currentSystemTimeMs())) {
            context().commit();
        }
    }

    private void process(Record<String, Command> record, Command command) {
        RecordMetadata source = context().recordMetadata().orElseThrow();
        long eventId = MessageIds.of(record.timestamp(), source.partition(), source.offset());
        long streamTime = Math.max(context().currentStreamTimeMs(), record.timestamp());
        CommandInput in = new CommandInput(record.key(), command.getSender(), record.timestamp(), eventId, streamTime);
        Outcome outcome;
        try {
            outcome = rules.apply(in, command);
        } catch (StreamsException e) {
            // a fenced producer or corrupt task surfaces at a store write: Streams must abort the
            // transaction and restore the task. As a bad command it would be answered "internal"
            // and logged as a bug, though the replay after the restore processes it normally.
            throw e;
        } catch (RuntimeException e) {
            // a bug must not poison the partition: failing would replay this record forever.
            // Rules write state only after every check passed, so nothing half-done is kept.
            log.error("command at {}-{}@{} failed", source.topic(), source.partition(), source.offset(), e);
            outcome = new Outcome.Rejected(ErrorCode.INTERNAL, "the command could not be processed");
        }
        stampVersion(in.conversationId(), outcome);
        RoutingRequest routing = routingFor(in, command, outcome);
        if (outcome instanceof Outcome.Published published) {
            context().forward(record.withValue(published.event()), EVENTS_SINK);
        }
        if (routing != null) {
            context().forward(record.withValue(routing), ROUTER);
        }
        if (outcome instanceof Outcome.Published published
                && command.getPayload() instanceof MarkReceipt mark
                && mark.getKind() == ReceiptKind.READ
                && published.event().getPayload() instanceof ReceiptAdvanced advanced) {
            ReadMarker marker = new ReadMarker(
                    advanced.getUserId(),
                    in.conversationId(),
                    advanced.getRead(),
                    Instant.ofEpochMilli(in.timestamp()));
            context().forward(record.withKey(advanced.getUserId()).withValue(marker), READS_SINK);
        }
    }

    /**
     * The change counter: one more for every edit, delete, reaction, membership or settings change,
     * in the same transaction as the event; every other event and ack carries the current value.
     * Posts do not count: a client holding seqs 1..N asks for changes since the version of its last
     * sync, and new messages it fetches by seq.
     */
    private void stampVersion(String conversationId, Outcome outcome) {
        if (outcome instanceof Outcome.Published p) {
            long version = state.version(conversationId);
            if (isChange(p.event().getPayload())) {
                version++;
                state.putVersion(conversationId, version);
            }
            p.event().setVersion(version);
        } else if (outcome instanceof Outcome.Acknowledged a && a.ack().getVersion() == 0) {
            a.ack().setVersion(state.version(conversationId));
        }
    }

    static boolean isChange(Object payload) {
        return payload instanceof MessageEdited
                || payload instanceof MessageDeleted
                || payload instanceof ReactionChanged
                || payload instanceof MembersChanged
                || payload instanceof ConversationUpdated
                || payload instanceof RetentionChanged;
    }

    private RoutingRequest routingFor(CommandInput in, Command command, Outcome outcome) {
        String id = in.conversationId();
        if (outcome instanceof Outcome.Published p) {
            RoutingRequest.NotifyAs notifyAs = p.notifyOffline()
                            && (p.event().getPayload() instanceof MessagePosted
                                    || p.event().getPayload() instanceof MessageDeleted)
                    ? notifyAs(state.meta(id))
                    : null;
            // a channel's event goes to the edges holding its members' sockets: one prefix scan of
            // (channel, edge) interest entries, never the member list
            List<String> fanout = p.channelFanout() ? state.interestedEdges(id, in.timestamp()) : List.of();
            return new RoutingRequest(id, p.event(), p.audience(), command.getOrigin(), notifyAs, fanout);
        } else if (outcome instanceof Outcome.Acknowledged a) {
            return new RoutingRequest(id, a.ack(), List.of(), command.getOrigin(), null);
        } else if (outcome instanceof Outcome.Rejected r) {
            CommandRejected rejected = new CommandRejected(r.code().wire(), r.message());
            return new RoutingRequest(id, rejected, List.of(), command.getOrigin(), null);
        } else if (outcome instanceof Outcome.Signalled s) {
            return new RoutingRequest(id, s.signal(), s.audience(), null, null);
        }
        return null;
    }

    private static RoutingRequest.NotifyAs notifyAs(ConversationMeta meta) {
        ConversationType type = meta.getChannel() != null
                ? ConversationType.CHANNEL
                : meta.getDirect() ? ConversationType.DIRECT : ConversationType.GROUP;
        return new RoutingRequest.NotifyAs(type, meta.getName());
    }
}
