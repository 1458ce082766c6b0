package dev.parley.connect.search;

import dev.parley.schema.ConversationEvent;
import dev.parley.schema.MessagePosted;
import dev.parley.schema.SearchIndex;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which events change the search index, and how: a {@code MessagePosted} becomes a document with
 * the fields the search API returns. Every other event leaves the index alone (null). A new event
 * kind (an edit, a delete) adds a case here returning {@link DocumentAction#update} or {@link
 * DocumentAction#delete}.
 */
final class SearchDocuments {

    private SearchDocuments() {}

    static DocumentAction actionFor(ConversationEvent event) {
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
            return DocumentAction.index(id, conversation, doc);
        }
        return null;
    }
}
