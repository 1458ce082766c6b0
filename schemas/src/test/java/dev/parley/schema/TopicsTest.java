package dev.parley.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TopicsTest {

    @Test
    void shouldNameDeliveryTopicsPerEdgeAndParseThemBack() {
        assertThat(Topics.delivery("edge-1").name()).isEqualTo("parley.delivery.edge-1.v1");
        assertThat(Topics.edgeOfDeliveryTopic("parley.delivery.edge-1.v1")).isEqualTo("edge-1");
        assertThat(Topics.edgeOfDeliveryTopic("parley.events.v1")).isNull();
    }

    @Test
    void shouldRefuseEdgeIdsThatMakeBadTopicNames() {
        assertThatThrownBy(() -> Topics.delivery("a.b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Topics.delivery("")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldCoPartitionNotificationsWithDevicesForTheJoin() {
        assertThat(Topics.DEVICES.partitions()).isEqualTo(Topics.NOTIFY.partitions());
        assertThat(Topics.DEVICES.configs())
                .containsEntry("cleanup.policy", "compact")
                .doesNotContainKey("retention.ms");
        assertThat(Topics.EVENTS.configs()).containsEntry("retention.ms", Long.toString(30L * 24 * 3600 * 1000));
    }

    @Test
    void shouldDeriveOneDirectIdFromEitherSideAndKeepPairsApart() {
        assertThat(ConversationIds.direct("a", "b")).isEqualTo(ConversationIds.direct("b", "a"));
        assertThat(ConversationIds.direct("ab", "c")).isNotEqualTo(ConversationIds.direct("a", "bc"));
        assertThat(ConversationIds.isValid(ConversationIds.direct("a", "b"))).isTrue();
        assertThat(ConversationIds.isValid(ConversationIds.newGroup())).isTrue();
    }

    @Test
    void shouldSendTypingApartFromTheCommandsOnACopartitionedTopic() {
        assertThat(Topics.commandsFor(new Typing(TypingState.START))).isEqualTo(Topics.TYPING);
        assertThat(Topics.commandsFor(new JoinChannel())).isEqualTo(Topics.COMMANDS);
        assertThat(Topics.fixed()).contains(Topics.TYPING);
        assertThat(Topics.TYPING.partitions()).isEqualTo(Topics.COMMANDS.partitions());
        assertThat(Topics.TYPING.configs()).containsEntry(TopicSpec.TIMESTAMP_TYPE, "LogAppendTime");
    }

    @Test
    void shouldKeepTheDirectIdStableAcrossReleases() {
        // stored conversations are keyed by it: sha256("a\0b"), first 16 bytes
        assertThat(ConversationIds.direct("a", "b")).isEqualTo("d_59b271ae1bbcb1d31d41929817f4b16f");
    }

    @Test
    void shouldDeriveOneGroupOrChannelIdPerCreatorAndCreateId() {
        String group = ConversationIds.group("alice", "create-1");
        assertThat(ConversationIds.group("alice", "create-1"))
                .as("a retry finds the first")
                .isEqualTo(group);
        assertThat(ConversationIds.group("bob", "create-1"))
                .as("another creator")
                .isNotEqualTo(group);
        assertThat(ConversationIds.group("alice", "create-2")).isNotEqualTo(group);
        assertThat(ConversationIds.group("alicec", "reate-1")).isNotEqualTo(ConversationIds.group("alice", "create-1"));
        assertThat(group).matches("g_[0-9a-f]{32}");
        String channel = ConversationIds.channel("alice", "create-1");
        assertThat(channel).matches("c_[0-9a-f]{32}");
        assertThat(ConversationIds.isChannel(channel)).isTrue();
        assertThat(ConversationIds.isChannel(group)).isFalse();
        assertThat(ConversationIds.isValid(group)).isTrue();
        assertThat(ConversationIds.isValid(channel)).isTrue();
    }

    @Test
    void shouldMapErrorCodesToWireNamesAndStatuses() {
        assertThat(ErrorCode.NOT_MEMBER.wire()).isEqualTo("not_member");
        assertThat(ErrorCode.fromWire("rate_limited")).isEqualTo(ErrorCode.RATE_LIMITED);
        assertThat(ErrorCode.TOO_LARGE.httpStatus()).isEqualTo(413);
    }
}
