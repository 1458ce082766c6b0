package dev.parley.schema;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The search index of DESIGN 7.2, the one place its layout is written down: the sink creates it,
 * the edge queries it, the rebuild drops it. Clients read and write through an alias ({@code
 * parley-messages} by default) pointing at a versioned index ({@code parley-messages-v1}), so a new
 * mapping is a new index filled by a rebuild and an atomic alias swap, never a change in place.
 * Documents are messages with the id {@code conversation_id:seq} (a redelivery overwrites, never
 * duplicates) and routed by conversation id (a conversation's messages share one shard, so a
 * search in one conversation asks one shard).
 */
public final class SearchIndex {

    /** The version of {@code search/messages-v1.json}; the backing index is {@code <alias>-v<N>}. */
    public static final int MAPPING_VERSION = 1;

    public static final String KEY = "key";
    public static final String CONVERSATION_ID = "conversation_id";
    public static final String SEQ = "seq";
    public static final String MESSAGE_ID = "message_id";
    public static final String SENDER = "sender";
    public static final String TS = "ts";
    public static final String BODY = "body";
    /**
     * When a disappearing message disappears (epoch millis; absent: kept). Searches leave out
     * documents past it, so an expired message is never found even before anything deletes it.
     */
    public static final String EXPIRES_AT = "expires_at";
    /** The English-stemmed subfield of {@link #BODY} ({@code running} finds {@code run}). */
    public static final String BODY_STEMMED = "body.en";

    private SearchIndex() {}

    /** The document id and sort tiebreak of a message: unique, and the same on every redelivery. */
    public static String documentId(String conversationId, long seq) {
        return conversationId + ":" + seq;
    }

    /** The concrete index behind {@code alias} at this build's mapping version. */
    public static String backingIndex(String alias) {
        return alias + "-v" + MAPPING_VERSION;
    }

    /** The body of the create-index request: settings, the chat analyzers and the strict mapping. */
    public static String definition(int shards, int replicas) {
        try (InputStream in = SearchIndex.class.getResourceAsStream("/search/messages-v1.json")) {
            if (in == null) {
                throw new IllegalStateException("search/messages-v1.json missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .replace("\"__SHARDS__\"", Integer.toString(shards))
                    .replace("\"__REPLICAS__\"", Integer.toString(replicas));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
