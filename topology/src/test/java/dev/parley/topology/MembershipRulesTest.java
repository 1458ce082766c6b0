package dev.parley.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.schema.CommandAccepted;
import dev.parley.schema.CommandRejected;
import dev.parley.schema.ConversationCreated;
import dev.parley.schema.ConversationEvent;
import dev.parley.schema.ConversationIds;
import dev.parley.schema.ConversationType;
import dev.parley.schema.ConversationUpdated;
import dev.parley.schema.CreateConversation;
import dev.parley.schema.Delivery;
import dev.parley.schema.MembersChanged;
import dev.parley.schema.ReceiptKind;
import dev.parley.schema.SendMessage;
import dev.parley.schema.UpdateConversation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.TestOutputTopic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MembershipRulesTest {

    private final TopologyFixture f = new TopologyFixture(new TopologyConfig(Duration.ofHours(24), 4, 100, 32, 120));
    private final TestOutputTopic<String, Delivery> e1 = f.deliveries("e1");

    @AfterEach
    void close() {
        f.close();
    }

    /** The code of the last rejection the origin edge got, asserting nothing reached the event log. */
    private String rejection() {
        assertThat(f.events.isEmpty()).as("a rejection writes no event").isTrue();
        List<Delivery> out = e1.readValuesToList();
        assertThat(out).isNotEmpty();
        Delivery last = out.get(out.size() - 1);
        assertThat(last.getRecipients())
                .as("a rejection goes to the origin only")
                .isEmpty();
        assertThat(last.getOrigin()).isNotNull();
        return ((CommandRejected) last.getPayload()).getCode();
    }

    private ConversationEvent lastEvent() {
        List<ConversationEvent> events = f.events.readValuesToList();
        assertThat(events).isNotEmpty();
        return events.get(events.size() - 1);
    }

    @Test
    void shouldRejectSendFromNonMemberWithNotMember() {
        String conv = f.group("alice", "bob");
        f.events.readValuesToList();
        e1.readValuesToList();
        f.send(conv, "mallory", "x", "hi");
        assertThat(rejection()).isEqualTo("not_member");
    }

    @Test
    void shouldRejectEveryCommandOfNonMemberWithNotMember() {
        String conv = f.group("alice", "bob");
        f.send(conv, "alice", "m1", "first");
        f.events.readValuesToList();
        e1.readValuesToList();
        f.receipt(conv, "mallory", ReceiptKind.READ, 1);
        assertThat(rejection()).isEqualTo("not_member");
        f.react(conv, "mallory", 1, "👍", dev.parley.schema.ReactionOp.ADD);
        assertThat(rejection()).isEqualTo("not_member");
        // typing is SignalTopology's, which drops a stranger's (SignalTopologyTest)
    }

    @Test
    void shouldRejectSendToUnknownConversationWithNotMember() {
        f.send("g_nothing_here", "alice", "x", "hi");
        assertThat(rejection()).isEqualTo("not_member");
    }

    /**
     * Direct ids are computable (sha256 of the pair): a stranger probing alice and bob's id gets, for every command,
     * the very answer a nonexistent direct id gives, so no code tells whether the two talk.
     */
    @Test
    void shouldAnswerStrangerAlikeForExistingAndMissingDirectConversation() {
        String existing = f.direct("alice", "bob");
        f.send(existing, "alice", "m1", "first");
        String missing = ConversationIds.direct("carol", "dave");
        assertThat(probe(existing)).isEqualTo(probe(missing)).allMatch("not_member"::equals);
    }

    private List<String> probe(String conv) {
        f.events.readValuesToList();
        e1.readValuesToList();
        List<String> codes = new ArrayList<>();
        f.send(conv, "mallory", "x", "hi");
        codes.add(rejection());
        f.receipt(conv, "mallory", ReceiptKind.READ, 1);
        codes.add(rejection());
        f.react(conv, "mallory", 1, "👍", dev.parley.schema.ReactionOp.ADD);
        codes.add(rejection());
        f.add(conv, "mallory", "erin");
        codes.add(rejection());
        f.remove(conv, "mallory", "mallory");
        codes.add(rejection());
        f.remove(conv, "mallory", "bob");
        codes.add(rejection());
        f.pipe(conv, "mallory", new UpdateConversation("renamed", List.of(), List.of()));
        codes.add(rejection());
        return codes;
    }

    @Test
    void shouldRejectOversizeBodyWithTooLarge() {
        String conv = f.direct("alice", "bob");
        f.events.readValuesToList();
        e1.readValuesToList();
        f.send(conv, "alice", "big", "é".repeat(51)); // 102 UTF-8 bytes, 51 chars: the limit is bytes
        assertThat(rejection()).isEqualTo("too_large");
        f.send(conv, "alice", "ok", "x".repeat(100));
        assertThat(lastEvent().getSeq()).isEqualTo(1);
    }

    @Test
    void shouldRejectEmptyMessageAndBadReplyWithBadRequest() {
        String conv = f.direct("alice", "bob");
        f.events.readValuesToList();
        e1.readValuesToList();
        f.send(conv, "alice", "e", "   ");
        assertThat(rejection()).isEqualTo("bad_request");
        f.pipe(conv, "alice", new SendMessage("r", "reply", List.of(), 7L, null, List.of(), List.of()));
        assertThat(rejection()).isEqualTo("bad_request");
        f.send(conv, "alice", "", "no client id");
        assertThat(rejection()).isEqualTo("bad_request");
    }

    @Test
    void shouldRejectGroupOverMemberCapWithGroupFull() {
        f.pipe(
                "g_big",
                "alice",
                new CreateConversation(ConversationType.GROUP, "big", List.of("b", "c", "d", "e"), null, null));
        assertThat(rejection()).isEqualTo("group_full");
        String conv = f.group("alice", "b", "c", "d");
        f.events.readValuesToList();
        e1.readValuesToList();
        f.add(conv, "alice", "e");
        assertThat(rejection()).isEqualTo("group_full");
    }

    @Test
    void shouldGiveDirectConversationOneIdFromBothSidesAndAckTheSecondCreate() {
        String fromAlice = ConversationIds.direct("alice", "bob");
        assertThat(ConversationIds.direct("bob", "alice")).isEqualTo(fromAlice);
        f.direct("alice", "bob");
        assertThat(lastEvent().getPayload()).isInstanceOf(ConversationCreated.class);
        e1.readValuesToList();
        f.pipe(fromAlice, "bob", new CreateConversation(ConversationType.DIRECT, null, List.of("alice"), null, null));
        assertThat(f.events.isEmpty()).isTrue();
        assertThat(e1.readValue().getPayload()).isInstanceOf(dev.parley.schema.CommandAccepted.class);
    }

    @Test
    void shouldRejectDirectConversationWhoseIdDoesNotMatchItsMembers() {
        f.pipe("d_forged", "alice", new CreateConversation(ConversationType.DIRECT, null, List.of("bob"), null, null));
        assertThat(rejection()).isEqualTo("bad_request");
        String id = ConversationIds.direct("alice", "bob");
        f.pipe(id, "alice", new CreateConversation(ConversationType.DIRECT, null, List.of("bob", "carol"), null, null));
        assertThat(rejection()).isEqualTo("bad_request");
    }

    @Test
    void shouldAnswerADirectCreateRepeatedByEitherMemberWithTheConversation() {
        String id = f.direct("alice", "bob");
        f.events.readValuesToList();
        e1.readValuesToList();
        f.pipe(id, "bob", new CreateConversation(ConversationType.DIRECT, null, List.of("alice"), null, null));
        assertThat(f.events.isEmpty()).isTrue();
        CommandAccepted ack = (CommandAccepted) e1.readValue().getPayload();
        assertThat(ack.getDuplicate()).isTrue();
        assertThat(ack.getConversation())
                .isEqualTo(new ConversationCreated(
                        ConversationType.DIRECT, null, List.of("alice", "bob"), List.of(), null, null));
    }

    @Test
    void shouldAnswerTheCreatorsRetriedGroupCreateWithoutASecondGroup() {
        String id = ConversationIds.group("alice", "create-1");
        CreateConversation create = new CreateConversation(ConversationType.GROUP, "team", List.of("bob"), null, null);
        f.pipe(id, "alice", create);
        assertThat(f.events.readValuesToList())
                .extracting(ConversationEvent::getPayload)
                .hasOnlyElementsOfType(ConversationCreated.class)
                .hasSize(1);
        e1.readValuesToList();

        f.pipe(id, "alice", create);
        assertThat(f.events.isEmpty()).as("the retry makes no second group").isTrue();
        CommandAccepted ack = (CommandAccepted) e1.readValue().getPayload();
        assertThat(ack.getConversation())
                .as("answered like the first create")
                .isEqualTo(new ConversationCreated(
                        ConversationType.GROUP, "team", List.of("alice", "bob"), List.of("alice"), null, null));

        f.pipe(id, "alice", new UpdateConversation("team, renamed", List.of("bob"), List.of()));
        f.events.readValuesToList();
        e1.readValuesToList();
        f.pipe(id, "alice", create);
        assertThat(((CommandAccepted) e1.readValue().getPayload()).getConversation())
                .as("the group as it is now, not as it was created")
                .isEqualTo(new ConversationCreated(
                        ConversationType.GROUP,
                        "team, renamed",
                        List.of("alice", "bob"),
                        List.of("alice", "bob"),
                        null,
                        null));

        f.pipe(id, "bob", new CreateConversation(ConversationType.GROUP, "mine", List.of("carol"), null, null));
        assertThat(rejection()).as("a member who did not create it").isEqualTo("conflict");

        f.remove(id, "bob", "alice");
        f.events.readValuesToList();
        e1.readValuesToList();
        f.pipe(id, "alice", create);
        assertThat(rejection())
                .as("a creator who was removed gets no answer about the group")
                .isEqualTo("conflict");
    }

    @Test
    void shouldRejectSecondGroupWithSameIdWithConflict() {
        f.pipe("g_dup", "alice", new CreateConversation(ConversationType.GROUP, "a", List.of("bob"), null, null));
        f.events.readValuesToList();
        e1.readValuesToList();
        f.pipe("g_dup", "carol", new CreateConversation(ConversationType.GROUP, "b", List.of("dave"), null, null));
        assertThat(rejection()).isEqualTo("conflict");
    }

    @Test
    void shouldLetOnlyAdminsAddRemoveAndRename() {
        String conv = f.group("alice", "bob");
        f.events.readValuesToList();
        e1.readValuesToList();
        f.add(conv, "bob", "carol");
        assertThat(rejection()).isEqualTo("forbidden");
        f.remove(conv, "bob", "alice");
        assertThat(rejection()).isEqualTo("forbidden");
        f.pipe(conv, "bob", new UpdateConversation("renamed", List.of(), List.of()));
        assertThat(rejection()).isEqualTo("forbidden");

        f.add(conv, "alice", "carol");
        MembersChanged added = (MembersChanged) lastEvent().getPayload();
        assertThat(added.getAdded()).containsExactly("carol");
        assertThat(added.getMemberCount()).isEqualTo(3);
        f.pipe(conv, "alice", new UpdateConversation("renamed", List.of("bob"), List.of()));
        ConversationUpdated updated = (ConversationUpdated) lastEvent().getPayload();
        assertThat(updated.getName()).isEqualTo("renamed");
        assertThat(updated.getAdmins()).containsExactlyInAnyOrder("alice", "bob");
    }

    @Test
    void shouldStopRemovedMemberFromSendingAndTellThemTheyWereRemoved() {
        String conv = f.group("alice", "bob", "carol");
        f.sessions.connect("bob", "e2");
        TestOutputTopic<String, Delivery> e2 = f.deliveries("e2");
        f.remove(conv, "alice", "bob");
        ConversationEvent removed = lastEvent();
        assertThat(((MembersChanged) removed.getPayload()).getRemoved()).containsExactly("bob");
        assertThat(e2.readValuesToList())
                .anySatisfy(d -> assertThat(d.getPayload()).isEqualTo(removed));
        e1.readValuesToList();
        f.send(conv, "bob", "m", "still here?");
        assertThat(rejection()).isEqualTo("not_member");
    }

    @Test
    void shouldLetAnyMemberLeaveAndPromoteLongestStandingMemberWhenLastAdminLeaves() {
        String conv = f.group("alice", "bob");
        f.at(f.now().plusSeconds(60));
        f.add(conv, "alice", "carol");
        f.remove(conv, "alice", "alice");
        MembersChanged left = (MembersChanged) lastEvent().getPayload();
        assertThat(left.getRemoved()).containsExactly("alice");
        assertThat(left.getAdmins()).containsExactly("bob");
        f.add(conv, "bob", "dave");
        assertThat(((MembersChanged) lastEvent().getPayload()).getAdded()).containsExactly("dave");
    }

    @Test
    void shouldNotChangeMembersOfDirectConversation() {
        String conv = f.direct("alice", "bob");
        f.events.readValuesToList();
        e1.readValuesToList();
        f.add(conv, "alice", "carol");
        assertThat(rejection()).isEqualTo("bad_request");
        f.remove(conv, "alice", "alice");
        assertThat(rejection()).isEqualTo("bad_request");
    }

    @Test
    void shouldKeepAtLeastOneAdmin() {
        String conv = f.group("alice", "bob");
        f.events.readValuesToList();
        e1.readValuesToList();
        f.pipe(conv, "alice", new UpdateConversation(null, List.of(), List.of("alice")));
        assertThat(rejection()).isEqualTo("bad_request");
    }

    @Test
    void shouldRejectInvalidConversationIdAndSenderWithBadRequest() {
        f.send("bad id with spaces", "alice", "m", "hi");
        assertThat(rejection()).isEqualTo("bad_request");
        f.send("g_ok", "bad\u001fuser", "m", "hi");
        assertThat(rejection()).isEqualTo("bad_request");
    }

    @Test
    void shouldAllowAGroupOfExactlyTheCap() {
        List<String> members = new ArrayList<>(List.of("b", "c", "d"));
        f.pipe("g_cap", "alice", new CreateConversation(ConversationType.GROUP, null, members, null, null));
        ConversationCreated created = (ConversationCreated) lastEvent().getPayload();
        assertThat(created.getMembers()).containsExactly("alice", "b", "c", "d");
        assertThat(created.getAdmins()).containsExactly("alice");
    }
}
