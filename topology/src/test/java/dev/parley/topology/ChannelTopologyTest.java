package dev.parley.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.schema.ChannelPosting;
import dev.parley.schema.ChannelVisibility;
import dev.parley.schema.CommandAccepted;
import dev.parley.schema.CommandRejected;
import dev.parley.schema.ConversationCreated;
import dev.parley.schema.ConversationEvent;
import dev.parley.schema.ConversationIds;
import dev.parley.schema.ConversationType;
import dev.parley.schema.CreateConversation;
import dev.parley.schema.Delivery;
import dev.parley.schema.MembersChanged;
import dev.parley.schema.MessagePosted;
import dev.parley.schema.Notification;
import dev.parley.schema.ReceiptAdvanced;
import dev.parley.schema.ReceiptKind;
import dev.parley.schema.UpdateConversation;
import dev.parley.topology.store.ChannelMember;
import dev.parley.topology.store.ConversationMeta;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Channels (DESIGN 7.5): fan-out on read through per-edge interest, members in their own store. */
class ChannelTopologyTest {

    private static final long TTL = 60_000;

    private final TopologyFixture f = new TopologyFixture();

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void shouldWriteOneDeliveryPerInterestedEdgeForAPostToAChannelOf100000Subscribers() {
        String channel = f.channel("owner", ChannelVisibility.PUBLIC, ChannelPosting.ADMINS);
        // 100,000 subscribers: 20 join through the topology, the rest are written straight into the
        // store in one batch (simulated memberships, as the bench does: joining 100,000 through the
        // test driver takes minutes); 2,000 of them are online, 200 on each of 10 edges
        for (int i = 0; i < 20; i++) {
            f.join(channel, "on" + i);
        }
        KeyValueStore<String, ChannelMember> members =
                f.driver.getKeyValueStore(ConversationTopology.CHANNEL_MEMBERS_STORE);
        List<org.apache.kafka.streams.KeyValue<String, ChannelMember>> batch = new ArrayList<>();
        for (int i = 20; i < 2_000; i++) {
            batch.add(org.apache.kafka.streams.KeyValue.pair(
                    channel + '\u001f' + "on" + i, new ChannelMember(false, 0L)));
        }
        for (int i = 0; i < 98_000; i++) {
            batch.add(org.apache.kafka.streams.KeyValue.pair(
                    channel + '\u001f' + "off" + i, new ChannelMember(false, 0L)));
        }
        members.putAll(batch);
        for (int i = 0; i < 2_000; i++) {
            f.sessions.connect("on" + i, "edge" + (i % 10));
        }
        f.sessions.connect("owner", "edge0");
        for (int e = 0; e < 10; e++) {
            f.interest(channel, "edge" + e, TTL);
        }
        List<TestOutputTopic<String, Delivery>> edges = new ArrayList<>();
        for (int e = 0; e < 10; e++) {
            TestOutputTopic<String, Delivery> topic = f.deliveries("edge" + e);
            topic.readValuesToList();
            edges.add(topic);
        }
        f.events.readValuesToList();
        f.notifications.readValuesToList();
        int lookupsBefore = f.sessions.lookups();

        f.pipe(
                channel,
                TopologyFixture.command(
                        channel,
                        "owner",
                        "edge0",
                        "p1",
                        new dev.parley.schema.SendMessage(
                                "p1", "release notes", List.of(), null, null, List.of(), List.of("off7"))));

        int records = 0;
        for (int e = 0; e < 10; e++) {
            List<Delivery> out = edges.get(e).readValuesToList();
            assertThat(out).as("edge%d", e).hasSize(1);
            Delivery d = out.get(0);
            assertThat(d.getChannelFanout()).isTrue();
            assertThat(d.getRecipients())
                    .as("nobody listed: the edge fans out locally")
                    .isEmpty();
            assertThat(((ConversationEvent) d.getPayload()).getPayload()).isInstanceOf(MessagePosted.class);
            assertThat(d.getOrigin() != null).isEqualTo(e == 0);
            records += out.size();
        }
        assertThat(records).isEqualTo(10);
        List<ConversationEvent> events = f.events.readValuesToList();
        assertThat(events).hasSize(1);
        assertThat(((MessagePosted) events.get(0).getPayload()).getMentions()).containsExactly("off7");
        // by construction the post reads the sender's and each mentioned user's membership entry and
        // the channel's interest entries (10); no subscriber's session is looked up
        assertThat(f.sessions.lookups()).isEqualTo(lookupsBefore);
        List<Notification> notified = f.notifications.readValuesToList();
        assertThat(notified)
                .as("offline subscribers get no push per post; the mentioned one does")
                .extracting(Notification::getUserId)
                .containsExactly("off7");
        assertThat(notified.get(0).getMention()).isTrue();
        assertThat(notified.get(0).getConversationType()).isEqualTo(ConversationType.CHANNEL);
        ConversationMeta meta = f.driver
                .<String, ConversationMeta>getKeyValueStore(ConversationTopology.META_STORE)
                .get(channel);
        assertThat(meta.getMembers())
                .as("the meta record holds the admins only")
                .hasSize(1);
        assertThat(meta.getChannel().getMemberCount())
                .as("the owner and the 20 who joined")
                .isEqualTo(21);
    }

    @Test
    void shouldStopDeliveringToAnEdgeWhoseInterestExpiredOrWasWithdrawn() {
        String channel = f.channel("owner", ChannelVisibility.PUBLIC, ChannelPosting.MEMBERS);
        f.interest(channel, "e1", TTL);
        f.interest(channel, "e2", TTL);
        f.interest(channel, "e3", 10 * 60_000); // cut to channel.interest.max.ttl.ms (5 min)
        TestOutputTopic<String, Delivery> e1 = f.deliveries("e1");
        TestOutputTopic<String, Delivery> e2 = f.deliveries("e2");
        TestOutputTopic<String, Delivery> e3 = f.deliveries("e3");

        f.send(channel, "owner", "m1", "one");
        assertThat(e2.readValuesToList()).hasSize(1);
        assertThat(e3.readValuesToList()).hasSize(1);
        e1.readValuesToList();

        f.interest(channel, "e2", 0);
        f.at(f.now().plusMillis(TTL + 1));
        f.interest(channel, "e1", TTL); // renewed; e3's 5 minutes are not over
        f.send(channel, "owner", "m2", "two");
        assertThat(e1.readValuesToList()).hasSize(1);
        assertThat(e2.readValuesToList()).as("withdrawn").isEmpty();
        assertThat(e3.readValuesToList()).hasSize(1);

        f.at(f.now().plusSeconds(5 * 60));
        f.send(channel, "owner", "m3", "three");
        assertThat(e3.readValuesToList()).as("expired: a crashed edge ages out").isEmpty();
        assertThat(e1.readValuesToList())
                .as("only the origin's answer, e1's interest expired too")
                .singleElement()
                .satisfies(d -> {
                    assertThat(d.getOrigin()).isNotNull();
                    assertThat(d.getChannelFanout()).isFalse();
                });
    }

    @Test
    void shouldLetAnyoneJoinAPublicChannelAndOnlyInvitedUsersAPrivateOne() {
        String open = f.channel("owner", ChannelVisibility.PUBLIC, ChannelPosting.MEMBERS);
        String closed = f.channel("owner", ChannelVisibility.PRIVATE, ChannelPosting.MEMBERS);
        TestOutputTopic<String, Delivery> e1 = f.deliveries("e1");
        f.sessions.connect("bob", "e1");
        e1.readValuesToList();
        f.events.readValuesToList();

        f.join(open, "bob");
        MembersChanged joined = (MembersChanged) f.events.readValue().getPayload();
        assertThat(joined.getAdded()).containsExactly("bob");
        assertThat(joined.getMemberCount()).isEqualTo(2);
        assertThat(e1.readValuesToList())
                .as("bob's own edge hears of it (to subscribe his sockets), with the answer")
                .singleElement()
                .satisfies(d -> assertThat(d.getRecipients()).containsExactly("bob"));

        f.join(closed, "bob");
        assertThat(rejection(e1)).isEqualTo("forbidden");
        f.join("g_nothing", "bob");
        assertThat(rejection(e1)).isEqualTo("not_found");

        f.add(closed, "bob", "carol");
        assertThat(rejection(e1)).as("bob is no member of it").isEqualTo("not_member");
        f.add(closed, "owner", "bob", "carol");
        assertThat(((MembersChanged) f.events.readValue().getPayload()).getAdded())
                .containsExactly("bob", "carol");
        f.send(closed, "bob", "m1", "hello");
        assertThat(f.events.readValue().getPayload()).isInstanceOf(MessagePosted.class);
    }

    @Test
    void shouldEnforceThePostingRuleAndMembership() {
        String announcements = f.channel("owner", ChannelVisibility.PUBLIC, ChannelPosting.ADMINS);
        TestOutputTopic<String, Delivery> e1 = f.deliveries("e1");
        f.join(announcements, "bob");
        e1.readValuesToList();
        f.events.readValuesToList();

        f.send(announcements, "bob", "m1", "may I?");
        assertThat(rejection(e1)).isEqualTo("forbidden");
        f.send(announcements, "mallory", "m2", "spam");
        assertThat(rejection(e1)).isEqualTo("not_member");
        f.typing(announcements, "bob");
        assertThat(e1.readValuesToList())
                .as("typing in a channel is checked and dropped")
                .isEmpty();

        f.pipe(announcements, "owner", new UpdateConversation(null, List.of("bob"), List.of()));
        assertThat(f.events.readValuesToList()).hasSize(1);
        e1.readValuesToList();
        f.send(announcements, "bob", "m3", "now I may");
        assertThat(f.events.readValue().getPayload()).isInstanceOf(MessagePosted.class);
    }

    @Test
    void shouldLeaveAndStopBeingAMemberButKeepTheLastAdmin() {
        String channel = f.channel("owner", ChannelVisibility.PUBLIC, ChannelPosting.MEMBERS);
        TestOutputTopic<String, Delivery> e1 = f.deliveries("e1");
        f.join(channel, "bob");
        f.events.readValuesToList();
        e1.readValuesToList();

        f.remove(channel, "bob", "bob");
        MembersChanged left = (MembersChanged) f.events.readValue().getPayload();
        assertThat(left.getRemoved()).containsExactly("bob");
        assertThat(left.getMemberCount()).isEqualTo(1);
        e1.readValuesToList();
        f.send(channel, "bob", "m1", "still here?");
        assertThat(rejection(e1)).isEqualTo("not_member");

        f.remove(channel, "owner", "owner");
        assertThat(rejection(e1)).isEqualTo("bad_request");
        assertThat(f.events.readValuesToList()).isEmpty();
    }

    @Test
    void shouldKeepReadWatermarksPerSubscriberAndSendReceiptsOnlyToTheReader() {
        String channel = f.channel("owner", ChannelVisibility.PUBLIC, ChannelPosting.MEMBERS);
        f.join(channel, "bob");
        f.interest(channel, "e1", TTL);
        f.send(channel, "owner", "m1", "one");
        f.send(channel, "owner", "m2", "two");
        f.sessions.connect("bob", "e1");
        TestOutputTopic<String, Delivery> e1 = f.deliveries("e1");
        e1.readValuesToList();
        f.events.readValuesToList();

        f.receipt(channel, "bob", ReceiptKind.READ, 1);
        ConversationEvent event = f.events.readValue();
        assertThat(event.getPayload()).isInstanceOf(ReceiptAdvanced.class);
        assertThat(event.getSeq()).as("unread = last_seq - read = 1").isEqualTo(2);
        assertThat(((ReceiptAdvanced) event.getPayload()).getRead()).isEqualTo(1);
        assertThat(e1.readValuesToList())
                .as("to the reader's own devices, never fanned out to the channel")
                .singleElement()
                .satisfies(d -> {
                    assertThat(d.getChannelFanout()).isFalse();
                    assertThat(d.getRecipients()).containsExactly("bob");
                });
        assertThat(f.readMarkers.readValue().getReadSeq()).isEqualTo(1);
    }

    @Test
    void shouldNotifyMentionedMembersOfAGroupEvenWhenOnlineAndIgnoreMentionedStrangers() {
        String group = f.group("alice", "bob", "carol");
        f.sessions.connect("bob", "e1");
        f.notifications.readValuesToList();

        f.mention(group, "alice", "m1", "@bob @mallory look", "bob", "mallory");
        ConversationEvent posted = f.events.readValuesToList().get(1);
        assertThat(((MessagePosted) posted.getPayload()).getMentions()).containsExactly("bob");
        assertThat(f.notifications.readValuesToList())
                .extracting(Notification::getUserId, Notification::getMention)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("carol", false),
                        org.assertj.core.groups.Tuple.tuple("bob", true));
    }

    @Test
    void shouldCreateAChannelWithItsSettingsAndRefuseOneWithoutAName() {
        String channel = f.channel("owner", ChannelVisibility.PRIVATE, ChannelPosting.ADMINS, "bob");
        ConversationCreated created = (ConversationCreated) f.events.readValue().getPayload();
        assertThat(created.getType()).isEqualTo(ConversationType.CHANNEL);
        assertThat(created.getVisibility()).isEqualTo(ChannelVisibility.PRIVATE);
        assertThat(created.getPosting()).isEqualTo(ChannelPosting.ADMINS);
        assertThat(created.getMembers()).containsExactly("owner", "bob");
        assertThat(created.getAdmins()).containsExactly("owner");
        assertThat(f.driver
                        .<String, ChannelMember>getKeyValueStore(ConversationTopology.CHANNEL_MEMBERS_STORE)
                        .get(channel + '\u001f' + "bob"))
                .isNotNull();

        TestOutputTopic<String, Delivery> e1 = f.deliveries("e1");
        e1.readValuesToList();
        f.pipe("c_unnamed", "owner", new CreateConversation(ConversationType.CHANNEL, null, List.of(), null, null));
        assertThat(rejection(e1)).isEqualTo("bad_request");
    }

    @Test
    void shouldAnswerTheCreatorsRetriedChannelCreateWithoutASecondChannel() {
        String id = ConversationIds.channel("owner", "create-1");
        var create = new CreateConversation(
                ConversationType.CHANNEL, "news", List.of("bob"), ChannelVisibility.PUBLIC, ChannelPosting.MEMBERS);
        TestOutputTopic<String, Delivery> e1 = f.deliveries("e1");
        f.pipe(id, "owner", create);
        assertThat(f.events.readValuesToList())
                .extracting(ConversationEvent::getPayload)
                .hasOnlyElementsOfType(ConversationCreated.class)
                .hasSize(1);
        e1.readValuesToList();

        f.pipe(id, "owner", new UpdateConversation("news, renamed", List.of(), List.of()));
        f.events.readValuesToList();
        e1.readValuesToList();
        f.pipe(id, "owner", create);
        assertThat(f.events.isEmpty()).as("the retry makes no second channel").isTrue();
        CommandAccepted ack = (CommandAccepted) e1.readValuesToList().stream()
                .map(Delivery::getPayload)
                .findFirst()
                .orElseThrow();
        assertThat(ack.getDuplicate()).isTrue();
        assertThat(ack.getConversation())
                .as("the channel as it is now, without its member list")
                .isEqualTo(new ConversationCreated(
                        ConversationType.CHANNEL,
                        "news, renamed",
                        List.of(),
                        List.of(),
                        ChannelVisibility.PUBLIC,
                        ChannelPosting.MEMBERS));

        f.pipe(id, "bob", create);
        assertThat(rejection(e1)).as("a member who did not create it").isEqualTo("conflict");
    }

    @Test
    void shouldKeepMentionsUpToTheCapExactlyAndRefuseOneMoreWithTooLarge() {
        TopologyConfig capAt3 = new TopologyConfig(
                TopologyConfig.DEFAULT_DEDUP_WINDOW,
                TopologyConfig.DEFAULT_MAX_GROUP_MEMBERS,
                TopologyConfig.DEFAULT_MAX_BODY_BYTES,
                TopologyConfig.DEFAULT_RECEIPT_FANOUT_MAX_MEMBERS,
                TopologyConfig.DEFAULT_PREVIEW_CHARS,
                TopologyConfig.DEFAULT_EDIT_WINDOW,
                TopologyConfig.DEFAULT_DELETE_WINDOW,
                TopologyConfig.DEFAULT_MIN_RETENTION_SECONDS,
                3,
                TopologyConfig.DEFAULT_CHANNEL_INTEREST_MAX_TTL);
        try (TopologyFixture capped = new TopologyFixture(capAt3)) {
            String channel = capped.channel("owner", ChannelVisibility.PUBLIC, ChannelPosting.MEMBERS);
            for (String user : List.of("a", "b", "c", "d")) {
                capped.join(channel, user);
            }
            TestOutputTopic<String, Delivery> e1 = capped.deliveries("e1");
            capped.events.readValuesToList();
            capped.notifications.readValuesToList();
            e1.readValuesToList();

            // three distinct users (a repeat counts once): all kept and all notified, though offline
            capped.mention(channel, "owner", "m1", "@a @b @c @a", "a", "b", "c", "a");
            List<ConversationEvent> posted = capped.events.readValuesToList();
            assertThat(posted).hasSize(1);
            assertThat(((MessagePosted) posted.get(0).getPayload()).getMentions())
                    .containsExactly("a", "b", "c");
            assertThat(capped.notifications.readValuesToList())
                    .extracting(Notification::getUserId)
                    .containsExactlyInAnyOrder("a", "b", "c");
            e1.readValuesToList();

            // four: refused with a code, nothing posted, nobody notified (never three of four silently)
            capped.mention(channel, "owner", "m2", "@a @b @c @d", "a", "b", "c", "d");
            assertThat(rejection(e1)).isEqualTo("too_large");
            assertThat(capped.events.readValuesToList()).isEmpty();
            assertThat(capped.notifications.readValuesToList()).isEmpty();
        }
    }

    private static String rejection(TestOutputTopic<String, Delivery> edge) {
        List<Delivery> out = edge.readValuesToList();
        assertThat(out).hasSize(1);
        assertThat(out.get(0).getPayload()).isInstanceOf(CommandRejected.class);
        return ((CommandRejected) out.get(0).getPayload()).getCode();
    }
}
