package dev.parley.connect.search;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.schema.ConversationEvent;
import dev.parley.schema.MessageDeleted;
import dev.parley.schema.MessageEdited;
import dev.parley.schema.MessagePosted;
import dev.parley.schema.SearchIndex;
import dev.parley.schema.search.DocumentAction;
import dev.parley.schema.search.SearchDocuments;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What each event does to the index: DESIGN 7.3's "search follows" edits and deletes. */
class SearchDocumentsTest {

    private static final Instant T0 = Instant.parse("2026-06-01T08:00:00Z");

    private static ConversationEvent event(long seq, Object payload) {
        return new ConversationEvent(seq, "d_ab", seq, T0, "alice", 3L, payload);
    }

    @Test
    void shouldIndexAPostAndReplaceItsBodyOnAnEditOfTheSameDocument() {
        DocumentAction post = SearchDocuments.actionFor(event(
                4, new MessagePosted(9L, "c4", "see you at noon", List.of(), null, null, null, List.of(), List.of())));
        DocumentAction edit = SearchDocuments.actionFor(event(7, new MessageEdited(4L, "see you at one", null)));

        assertThat(post.op()).isEqualTo(DocumentAction.Op.INDEX);
        assertThat(post.source()).doesNotContainKey(SearchIndex.EXPIRES_AT);
        assertThat(edit.op()).isEqualTo(DocumentAction.Op.UPDATE);
        assertThat(edit.id())
                .as("the edited message's document, not the edit event's seq")
                .isEqualTo(post.id());
        assertThat(edit.id()).isEqualTo(SearchIndex.documentId("d_ab", 4));
        assertThat(edit.routing()).isEqualTo("d_ab");
        assertThat(edit.source()).isEqualTo(Map.of(SearchIndex.BODY, "see you at one"));
    }

    @Test
    void shouldGiveADisappearingMessageItsExpiryForSearchesToLeaveItOutAfterwards() {
        DocumentAction post = SearchDocuments.actionFor(
                event(4, new MessagePosted(9L, "c4", "gone soon", List.of(), null, null, 60L, List.of(), List.of())));

        assertThat(post.source()).containsEntry(SearchIndex.EXPIRES_AT, T0.toEpochMilli() + 60_000);
    }

    @Test
    void shouldDeleteTheDocumentOfADeletedMessage() {
        DocumentAction delete = SearchDocuments.actionFor(event(7, new MessageDeleted(4L, "alice", null)));

        assertThat(delete.op()).isEqualTo(DocumentAction.Op.DELETE);
        assertThat(delete.id()).isEqualTo(SearchIndex.documentId("d_ab", 4));
        assertThat(delete.routing()).isEqualTo("d_ab");
    }

    @Test
    void shouldCountAnEditOrDeleteOfAMissingDocumentAsDoneButRefuseOtherClientErrors() throws Exception {
        var missing =
                new ObjectMapper().readTree("{\"status\":404,\"error\":{\"type\":\"document_missing_exception\"}}");
        var mapping = new ObjectMapper().readTree("{\"status\":400,\"error\":{\"type\":\"mapper_parsing_exception\"}}");

        assertThat(OpenSearchDocumentStore.result(DocumentAction.update("d_ab:4", "d_ab", Map.of()), missing))
                .isEqualTo(DocumentStore.Result.DONE);
        assertThat(OpenSearchDocumentStore.result(DocumentAction.delete("d_ab:4", "d_ab"), missing))
                .isEqualTo(DocumentStore.Result.DONE);
        assertThat(OpenSearchDocumentStore.result(DocumentAction.update("d_ab:4", "d_ab", Map.of()), mapping)
                        .outcome())
                .isEqualTo(DocumentStore.Outcome.REFUSED);
    }
}
