package dev.parley.schema.search;

import dev.parley.schema.ConversationEvent;
import dev.parley.schema.MessageDeleted;
import dev.parley.schema.MessageEdited;
import dev.parley.schema.MessagePosted;
import dev.parley.schema.SearchIndex;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which events change the search index, and how: a {@code MessagePosted} becomes a document with
 * the fields the search API returns, a {@code MessageEdited} replaces that document's body (the edit
 * is found by its new words, no longer by the old ones) and a {@code MessageDeleted} deletes the
 * document (DESIGN 7.3: a deleted message is gone from search). Every other event leaves the index
 * alone (null).
 */
public final class SearchDocuments {

    private SearchDocuments() {}

    public static DocumentAction actionFor(ConversationEvent event) {
        if (event.getPayload() instanceof MessagePosted posted) {
            String conversation = event.getConversationId();
            String id = SearchIndex.documentId(conversation, event.getSeq());
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put(SearchIndex.KEY, id);
            doc.put(SearchIndex.CONVERSATION_ID, conversation);
            doc.put(SearchIndex.SEQ, event.getSeq());
            doc.put(SearchIndex.MESSAGE_ID, Long.toString(posted.getMessageId()));
            doc.put(SearchIndex.SENDER, event.getActor());
            doc.put(SearchIndex.TS, event.getTs().toEpochMilli());
            doc.put(SearchIndex.BODY, posted.getBody());
            if (posted.getRetentionSeconds() != null) {
                doc.put(SearchIndex.EXPIRES_AT, event.getTs().toEpochMilli() + posted.getRetentionSeconds() * 1000);
            }
            return DocumentAction.index(id, conversation, doc);
        }
        if (event.getPayload() instanceof MessageEdited edited) {
            String conversation = event.getConversationId();
            return DocumentAction.update(
                    SearchIndex.documentId(conversation, edited.getTargetSeq()),
                    conversation,
                    Map.of(SearchIndex.BODY, edited.getBody()));
        }
        if (event.getPayload() instanceof MessageDeleted deleted) {
            String conversation = event.getConversationId();
            return DocumentAction.delete(SearchIndex.documentId(conversation, deleted.getTargetSeq()), conversation);
        }
        return null;
    }
}
