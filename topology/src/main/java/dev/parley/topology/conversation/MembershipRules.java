package dev.parley.topology.conversation;

import dev.parley.schema.AddMembers;
import dev.parley.schema.ConversationCreated;
import dev.parley.schema.ConversationIds;
import dev.parley.schema.ConversationType;
import dev.parley.schema.ConversationUpdated;
import dev.parley.schema.CreateConversation;
import dev.parley.schema.ErrorCode;
import dev.parley.schema.MembersChanged;
import dev.parley.schema.RemoveMember;
import dev.parley.schema.RetentionChanged;
import dev.parley.schema.SetRetention;
import dev.parley.schema.UpdateConversation;
import dev.parley.topology.TopologyConfig;
import dev.parley.topology.store.ConversationMeta;
import dev.parley.topology.store.Member;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Creating conversations and changing who is in them. A direct conversation has exactly two members
 * and an id derived from them, so creating it again returns it. A group has admins (the creator
 * first), at most {@code maxMembers} members; admins add, remove and rename; anyone may leave.
 */
final class MembershipRules {

    private static final int MAX_NAME_CHARS = 256;

    private final ConversationState state;
    private final ChannelRules channels;
    private final int maxMembers;
    private final long minRetentionSeconds;

    MembershipRules(ConversationState state, ChannelRules channels, int maxMembers, long minRetentionSeconds) {
        this.state = state;
        this.channels = channels;
        this.maxMembers = maxMembers;
        this.minRetentionSeconds = minRetentionSeconds;
    }

    Outcome create(CommandInput in, CreateConversation create) {
        if (create.getType() == ConversationType.CHANNEL) {
            return channels.create(in, create);
        }
        String id = in.conversationId();
        if (ConversationIds.isChannel(id)) {
            return new Outcome.Rejected(ErrorCode.BAD_REQUEST, "c_ ids are channels' (ConversationIds)");
        }
        boolean direct = create.getType() == ConversationType.DIRECT;
        ConversationMeta existing = state.meta(id);
        if (existing != null) {
            // a direct conversation is found again by anyone of its two; a group only by its creator's
            // retried create (its id derived from the create's id, ConversationIds.group), while a member
            if (existing.getDirect() == direct
                    && existing.getChannel() == null
                    && (direct || existing.getCreator().equals(in.sender()))
                    && Membership.isMember(existing, in.sender())) {
                ConversationCreated now = new ConversationCreated(
                        create.getType(),
                        existing.getName(),
                        Membership.userIds(existing),
                        Membership.admins(existing),
                        null,
                        null);
                return Outcome.Acknowledged.repeatedCreate(state.lastSeq(id), existing.getCreatedAt(), now);
            }
            return new Outcome.Rejected(ErrorCode.CONFLICT, "conversation already exists");
        }
        Set<String> members = new LinkedHashSet<>();
        members.add(in.sender());
        for (String m : create.getMembers()) {
            if (!Membership.isValidUserId(m)) {
                return new Outcome.Rejected(ErrorCode.BAD_REQUEST, "invalid member id");
            }
            members.add(m);
        }
        if (direct) {
            if (members.size() != 2) {
                return new Outcome.Rejected(
                        ErrorCode.BAD_REQUEST, "a direct conversation has exactly one other member");
            }
            String other = members.stream()
                    .filter(m -> !m.equals(in.sender()))
                    .findFirst()
                    .orElseThrow();
            if (!id.equals(ConversationIds.direct(in.sender(), other))) {
                return new Outcome.Rejected(ErrorCode.BAD_REQUEST, "direct conversation id does not match its members");
            }
        } else if (members.size() > maxMembers) {
            return new Outcome.Rejected(ErrorCode.GROUP_FULL, "a group has at most " + maxMembers + " members");
        }
        if (create.getName() != null && create.getName().length() > MAX_NAME_CHARS) {
            return new Outcome.Rejected(ErrorCode.BAD_REQUEST, "name is longer than " + MAX_NAME_CHARS);
        }
        List<Member> list = new ArrayList<>();
        for (String m : members) {
            list.add(new Member(m, !direct && m.equals(in.sender()), in.timestamp()));
        }
        ConversationMeta meta =
                new ConversationMeta(direct, create.getName(), in.sender(), in.timestamp(), list, null, null);
        state.putMeta(id, meta);
        ConversationCreated created = new ConversationCreated(
                create.getType(), create.getName(), Membership.userIds(meta), Membership.admins(meta), null, null);
        return new Outcome.Published(in.event(0, created), Membership.userIds(meta), false);
    }

    Outcome add(CommandInput in, AddMembers add) {
        ConversationMeta meta = state.meta(in.conversationId());
        if (ChannelRules.isChannel(meta)) {
            return channels.invite(in, meta, add);
        }
        Outcome denied = requireGroupAdmin(meta, in.sender());
        if (denied != null) {
            return denied;
        }
        List<String> added = new ArrayList<>();
        for (String m : new LinkedHashSet<>(add.getMembers())) {
            if (!Membership.isValidUserId(m)) {
                return new Outcome.Rejected(ErrorCode.BAD_REQUEST, "invalid member id");
            }
            if (!Membership.isMember(meta, m)) {
                added.add(m);
            }
        }
        if (added.isEmpty()) {
            return acknowledge(in);
        }
        if (meta.getMembers().size() + added.size() > maxMembers) {
            return new Outcome.Rejected(ErrorCode.GROUP_FULL, "a group has at most " + maxMembers + " members");
        }
        // decoded Avro arrays are not fully mutable: work on a copy
        List<Member> members = new ArrayList<>(meta.getMembers());
        added.forEach(m -> members.add(new Member(m, false, in.timestamp())));
        meta.setMembers(members);
        state.putMeta(in.conversationId(), meta);
        return membersChanged(in, meta, added, List.of(), Membership.userIds(meta));
    }

    Outcome remove(CommandInput in, RemoveMember remove) {
        ConversationMeta meta = state.meta(in.conversationId());
        if (ChannelRules.isChannel(meta)) {
            return channels.remove(in, meta, remove);
        }
        String target = remove.getMember();
        boolean leaving = in.sender().equals(target);
        Outcome denied = leaving ? requireGroupMember(meta, in.sender()) : requireGroupAdmin(meta, in.sender());
        if (denied != null) {
            return denied;
        }
        Member member = Membership.find(meta, target);
        if (member == null) {
            return new Outcome.Rejected(ErrorCode.NOT_FOUND, "not a member of this conversation");
        }
        // the removed user hears about it too, so the audience is taken before the change
        List<String> audience = Membership.userIds(meta);
        List<Member> remaining = new ArrayList<>(meta.getMembers());
        remaining.remove(member);
        meta.setMembers(remaining);
        Membership.ensureAdmin(meta);
        state.putMeta(in.conversationId(), meta);
        return membersChanged(in, meta, List.of(), List.of(target), audience);
    }

    Outcome update(CommandInput in, UpdateConversation update) {
        ConversationMeta meta = state.meta(in.conversationId());
        if (ChannelRules.isChannel(meta)) {
            return channels.update(in, meta, update);
        }
        Outcome denied = requireGroupAdmin(meta, in.sender());
        if (denied != null) {
            return denied;
        }
        String name = update.getName();
        if (name != null && name.length() > MAX_NAME_CHARS) {
            return new Outcome.Rejected(ErrorCode.BAD_REQUEST, "name is longer than " + MAX_NAME_CHARS);
        }
        for (String m : update.getAddAdmins()) {
            if (!Membership.isMember(meta, m)) {
                return new Outcome.Rejected(ErrorCode.BAD_REQUEST, "only members can become admins");
            }
        }
        List<String> adminsBefore = Membership.admins(meta);
        String nameBefore = meta.getName();
        for (Member m : meta.getMembers()) {
            if (update.getAddAdmins().contains(m.getUserId())) {
                m.setAdmin(true);
            } else if (update.getRemoveAdmins().contains(m.getUserId())) {
                m.setAdmin(false);
            }
        }
        if (Membership.admins(meta).isEmpty()) {
            return new Outcome.Rejected(ErrorCode.BAD_REQUEST, "a group keeps at least one admin");
        }
        if (name != null) {
            meta.setName(name);
        }
        if (Membership.admins(meta).equals(adminsBefore) && java.util.Objects.equals(nameBefore, meta.getName())) {
            return acknowledge(in);
        }
        state.putMeta(in.conversationId(), meta);
        ConversationUpdated updated = new ConversationUpdated(meta.getName(), Membership.admins(meta));
        return new Outcome.Published(
                in.event(state.lastSeq(in.conversationId()), updated), Membership.userIds(meta), false);
    }

    /**
     * Disappearing messages: group admins, or either member of a direct conversation, set how long
     * messages posted from now on are kept ({@code minRetentionSeconds} to ten years; null: for good).
     */
    Outcome retention(CommandInput in, SetRetention set) {
        ConversationMeta meta = state.meta(in.conversationId());
        if (!state.isMember(in.conversationId(), meta, in.sender())) {
            return new Outcome.Rejected(ErrorCode.NOT_MEMBER, "not a member of this conversation");
        }
        if (!meta.getDirect() && !Membership.isAdmin(meta, in.sender())) {
            return new Outcome.Rejected(ErrorCode.FORBIDDEN, "only admins may do that");
        }
        Long seconds = set.getRetentionSeconds();
        if (seconds != null && (seconds < minRetentionSeconds || seconds > TopologyConfig.MAX_RETENTION_SECONDS)) {
            return new Outcome.Rejected(
                    ErrorCode.BAD_REQUEST,
                    "retention_seconds must be from " + minRetentionSeconds + " to "
                            + TopologyConfig.MAX_RETENTION_SECONDS + " (ten years), or null");
        }
        if (java.util.Objects.equals(seconds, meta.getRetentionSeconds())) {
            return acknowledge(in);
        }
        meta.setRetentionSeconds(seconds);
        state.putMeta(in.conversationId(), meta);
        return Outcome.Published.toMembers(
                meta, in.event(state.lastSeq(in.conversationId()), new RetentionChanged(seconds)), false);
    }

    private Outcome membersChanged(
            CommandInput in, ConversationMeta meta, List<String> added, List<String> removed, List<String> audience) {
        MembersChanged changed =
                new MembersChanged(added, removed, meta.getMembers().size(), Membership.admins(meta));
        return new Outcome.Published(in.event(state.lastSeq(in.conversationId()), changed), audience, false);
    }

    private Outcome acknowledge(CommandInput in) {
        return Outcome.Acknowledged.of(state.lastSeq(in.conversationId()), null, in.timestamp(), false);
    }

    private static Outcome requireGroupMember(ConversationMeta meta, String userId) {
        // membership first, and a missing conversation answers like someone else's: a stranger may not learn
        // whether a (computable) direct id exists from not_found or from "members are fixed"
        if (meta == null || !Membership.isMember(meta, userId)) {
            return new Outcome.Rejected(ErrorCode.NOT_MEMBER, "not a member of this conversation");
        }
        if (meta.getDirect()) {
            return new Outcome.Rejected(ErrorCode.BAD_REQUEST, "a direct conversation's members are fixed");
        }
        return null;
    }

    private static Outcome requireGroupAdmin(ConversationMeta meta, String userId) {
        Outcome notMember = requireGroupMember(meta, userId);
        if (notMember != null) {
            return notMember;
        }
        return Membership.isAdmin(meta, userId)
                ? null
                : new Outcome.Rejected(ErrorCode.FORBIDDEN, "only admins may do that");
    }
}
