package dev.parley.topology.conversation;

import dev.parley.schema.AddMembers;
import dev.parley.schema.ChannelInterest;
import dev.parley.schema.ChannelPosting;
import dev.parley.schema.ChannelVisibility;
import dev.parley.schema.ConversationCreated;
import dev.parley.schema.ConversationIds;
import dev.parley.schema.ConversationType;
import dev.parley.schema.ConversationUpdated;
import dev.parley.schema.CreateConversation;
import dev.parley.schema.ErrorCode;
import dev.parley.schema.MembersChanged;
import dev.parley.schema.RemoveMember;
import dev.parley.schema.UpdateConversation;
import dev.parley.topology.store.ChannelMember;
import dev.parley.topology.store.ChannelSettings;
import dev.parley.topology.store.ConversationMeta;
import dev.parley.topology.store.Member;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Channels (DESIGN 7.5, schema v6): no member cap, so members are not in the conversation's meta
 * record but one entry each in the channel-members store (channel|user), written on join and leave
 * and read one at a time. The meta record keeps the settings, the member count and the admins (few,
 * at most the group cap), so admin checks stay a meta read.
 *
 * <p>Membership events go to the users they are about (and the origin), not to every member: a
 * channel of 100,000 does not hear each join. Public channels are joined by anyone, private ones by
 * an admin's invitation ({@link AddMembers}); anyone leaves, except the last admin.
 */
final class ChannelRules {

    private static final int MAX_NAME_CHARS = 256;
    private static final Pattern EDGE_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private final ConversationState state;
    private final int maxPerCommand;
    private final Duration maxInterestTtl;

    ChannelRules(ConversationState state, int maxPerCommand, Duration maxInterestTtl) {
        this.state = state;
        this.maxPerCommand = maxPerCommand;
        this.maxInterestTtl = maxInterestTtl;
    }

    static boolean isChannel(ConversationMeta meta) {
        return meta != null && meta.getChannel() != null;
    }

    Outcome create(CommandInput in, CreateConversation create) {
        String id = in.conversationId();
        if (!ConversationIds.isChannel(id)) {
            return new Outcome.Rejected(ErrorCode.BAD_REQUEST, "a channel's id starts with c_ (ConversationIds)");
        }
        ConversationMeta existing = state.meta(id);
        if (existing != null) {
            // the creator's retried create (the id derived from the create's id): answered, not repeated
            if (isChannel(existing)
                    && existing.getCreator().equals(in.sender())
                    && state.channelMember(id, in.sender()) != null) {
                // no member list: a channel's members are one store entry each, without a bound
                ConversationCreated now = new ConversationCreated(
                        ConversationType.CHANNEL,
                        existing.getName(),
                        List.of(),
                        List.of(),
                        existing.getChannel().getVisibility(),
                        existing.getChannel().getPosting());
                return Outcome.Acknowledged.repeatedCreate(state.lastSeq(id), existing.getCreatedAt(), now);
            }
            return new Outcome.Rejected(ErrorCode.CONFLICT, "conversation already exists");
        }
        String name = create.getName();
        if (name == null || name.isBlank() || name.length() > MAX_NAME_CHARS) {
            return new Outcome.Rejected(ErrorCode.BAD_REQUEST, "a channel needs a name of 1 to " + MAX_NAME_CHARS);
        }
        Set<String> members = new LinkedHashSet<>();
        members.add(in.sender());
        for (String m : create.getMembers()) {
            if (!Membership.isValidUserId(m)) {
                return new Outcome.Rejected(ErrorCode.BAD_REQUEST, "invalid member id");
            }
            members.add(m);
        }
        if (members.size() > maxPerCommand) {
            return new Outcome.Rejected(
                    ErrorCode.TOO_LARGE, "at most " + maxPerCommand + " members per command; invite more later");
        }
        ChannelVisibility visibility =
                create.getVisibility() == null ? ChannelVisibility.PUBLIC : create.getVisibility();
        ChannelPosting posting = create.getPosting() == null ? ChannelPosting.MEMBERS : create.getPosting();
        for (String m : members) {
            state.putChannelMember(id, m, new ChannelMember(m.equals(in.sender()), in.timestamp()));
        }
        ConversationMeta meta = new ConversationMeta(
                false,
                name,
                in.sender(),
                in.timestamp(),
                List.of(new Member(in.sender(), true, in.timestamp())),
                null,
                new ChannelSettings(visibility, posting, (long) members.size()));
        state.putMeta(id, meta);
        ConversationCreated created = new ConversationCreated(
                ConversationType.CHANNEL, name, List.copyOf(members), Membership.admins(meta), visibility, posting);
        return new Outcome.Published(in.event(0, created), List.copyOf(members), false);
    }

    Outcome join(CommandInput in) {
        ConversationMeta meta = state.meta(in.conversationId());
        // a missing conversation and one that is not a channel answer alike: direct ids are computable
        if (!isChannel(meta)) {
            return new Outcome.Rejected(ErrorCode.NOT_FOUND, "no such channel");
        }
        if (state.channelMember(in.conversationId(), in.sender()) != null) {
            return acknowledge(in);
        }
        if (meta.getChannel().getVisibility() == ChannelVisibility.PRIVATE) {
            return new Outcome.Rejected(ErrorCode.FORBIDDEN, "a private channel is joined by an admin's invitation");
        }
        return added(in, meta, List.of(in.sender()));
    }

    Outcome invite(CommandInput in, ConversationMeta meta, AddMembers add) {
        Outcome denied = requireAdmin(in, meta);
        if (denied != null) {
            return denied;
        }
        Set<String> distinct = new LinkedHashSet<>(add.getMembers());
        if (distinct.size() > maxPerCommand) {
            return new Outcome.Rejected(ErrorCode.TOO_LARGE, "at most " + maxPerCommand + " members per command");
        }
        List<String> added = new ArrayList<>();
        for (String m : distinct) {
            if (!Membership.isValidUserId(m)) {
                return new Outcome.Rejected(ErrorCode.BAD_REQUEST, "invalid member id");
            }
            if (state.channelMember(in.conversationId(), m) == null) {
                added.add(m);
            }
        }
        return added.isEmpty() ? acknowledge(in) : added(in, meta, added);
    }

    Outcome remove(CommandInput in, ConversationMeta meta, RemoveMember remove) {
        String id = in.conversationId();
        String target = remove.getMember();
        boolean leaving = in.sender().equals(target);
        Outcome denied = leaving ? requireMember(in) : requireAdmin(in, meta);
        if (denied != null) {
            return denied;
        }
        ChannelMember member = state.channelMember(id, target);
        if (member == null) {
            return new Outcome.Rejected(ErrorCode.NOT_FOUND, "not a member of this channel");
        }
        if (member.getAdmin()) {
            if (Membership.admins(meta).size() <= 1) {
                return new Outcome.Rejected(
                        ErrorCode.BAD_REQUEST, "the last admin cannot leave: make another member admin first");
            }
            List<Member> admins = new ArrayList<>(meta.getMembers());
            admins.removeIf(m -> m.getUserId().equals(target));
            meta.setMembers(admins);
        }
        state.deleteChannelMember(id, target);
        meta.getChannel().setMemberCount(Math.max(0, meta.getChannel().getMemberCount() - 1));
        state.putMeta(id, meta);
        MembersChanged changed =
                new MembersChanged(List.of(), List.of(target), memberCount(meta), Membership.admins(meta));
        return new Outcome.Published(in.event(state.lastSeq(id), changed), List.of(target), false);
    }

    /** Rename, and admins: an admin must be a member; the admins list lives in the meta record. */
    Outcome update(CommandInput in, ConversationMeta meta, UpdateConversation update) {
        Outcome denied = requireAdmin(in, meta);
        if (denied != null) {
            return denied;
        }
        String id = in.conversationId();
        String name = update.getName();
        if (name != null && (name.isBlank() || name.length() > MAX_NAME_CHARS)) {
            return new Outcome.Rejected(ErrorCode.BAD_REQUEST, "a channel needs a name of 1 to " + MAX_NAME_CHARS);
        }
        List<Member> admins = new ArrayList<>(meta.getMembers());
        for (String m : new LinkedHashSet<>(update.getAddAdmins())) {
            ChannelMember member = state.channelMember(id, m);
            if (member == null) {
                return new Outcome.Rejected(ErrorCode.BAD_REQUEST, "only members can become admins");
            }
            if (admins.stream().noneMatch(a -> a.getUserId().equals(m))) {
                admins.add(new Member(m, true, member.getJoinedAt()));
            }
        }
        admins.removeIf(a -> update.getRemoveAdmins().contains(a.getUserId())
                && !update.getAddAdmins().contains(a.getUserId()));
        if (admins.isEmpty()) {
            return new Outcome.Rejected(ErrorCode.BAD_REQUEST, "a channel keeps at least one admin");
        }
        if (admins.size() > maxPerCommand) {
            return new Outcome.Rejected(ErrorCode.TOO_LARGE, "a channel has at most " + maxPerCommand + " admins");
        }
        List<String> before = Membership.admins(meta);
        List<String> after = admins.stream().map(Member::getUserId).toList();
        boolean renamed = name != null && !name.equals(meta.getName());
        if (before.equals(after) && !renamed) {
            return acknowledge(in);
        }
        for (String m : before) {
            if (!after.contains(m)) {
                state.putChannelMember(
                        id,
                        m,
                        new ChannelMember(false, state.channelMember(id, m).getJoinedAt()));
            }
        }
        for (Member a : admins) {
            state.putChannelMember(id, a.getUserId(), new ChannelMember(true, a.getJoinedAt()));
        }
        meta.setMembers(admins);
        if (name != null) {
            meta.setName(name);
        }
        state.putMeta(id, meta);
        ConversationUpdated updated = new ConversationUpdated(meta.getName(), after);
        return Outcome.Published.toMembers(meta, in.event(state.lastSeq(id), updated), false);
    }

    /**
     * An edge's interest (v6): it holds a member's socket until the command's time plus the TTL
     * (at most {@code maxInterestTtl}); 0 withdraws it. Nothing is answered: edges renew on a timer.
     */
    Outcome interest(CommandInput in, ChannelInterest interest) {
        ConversationMeta meta = state.meta(in.conversationId());
        if (!isChannel(meta) || !EDGE_ID.matcher(interest.getEdgeId()).matches()) {
            return new Outcome.Rejected(ErrorCode.NOT_FOUND, "no such channel");
        }
        if (interest.getTtlMs() <= 0) {
            state.deleteInterest(in.conversationId(), interest.getEdgeId());
        } else {
            long ttl = Math.min(interest.getTtlMs(), maxInterestTtl.toMillis());
            state.putInterest(in.conversationId(), interest.getEdgeId(), in.timestamp() + ttl);
        }
        return acknowledge(in);
    }

    private Outcome added(CommandInput in, ConversationMeta meta, List<String> added) {
        String id = in.conversationId();
        for (String m : added) {
            state.putChannelMember(id, m, new ChannelMember(false, in.timestamp()));
        }
        meta.getChannel().setMemberCount(meta.getChannel().getMemberCount() + added.size());
        state.putMeta(id, meta);
        MembersChanged changed = new MembersChanged(added, List.of(), memberCount(meta), Membership.admins(meta));
        return new Outcome.Published(in.event(state.lastSeq(id), changed), added, false);
    }

    private static int memberCount(ConversationMeta meta) {
        return (int) Math.min(Integer.MAX_VALUE, meta.getChannel().getMemberCount());
    }

    private Outcome requireMember(CommandInput in) {
        return state.channelMember(in.conversationId(), in.sender()) == null
                ? new Outcome.Rejected(ErrorCode.NOT_MEMBER, "not a member of this channel")
                : null;
    }

    private Outcome requireAdmin(CommandInput in, ConversationMeta meta) {
        Outcome notMember = requireMember(in);
        if (notMember != null) {
            return notMember;
        }
        return Membership.isAdmin(meta, in.sender())
                ? null
                : new Outcome.Rejected(ErrorCode.FORBIDDEN, "only admins may do that");
    }

    private Outcome acknowledge(CommandInput in) {
        return Outcome.Acknowledged.of(state.lastSeq(in.conversationId()), null, in.timestamp(), false);
    }
}
