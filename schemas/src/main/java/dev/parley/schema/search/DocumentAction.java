package dev.parley.schema.search;

import java.util.Map;

/**
 * One line pair of a bulk request on a message document: index it whole, update some of its
 * fields, or delete it, always by id and routing (the conversation). Edits and deletes of DESIGN
 * 7.3 map to {@link #update} and {@link #delete}; either on a missing document counts as done.
 */
public record DocumentAction(Op op, String id, String routing, Map<String, Object> source) {

    public enum Op {
        INDEX,
        UPDATE,
        DELETE
    }

    public static DocumentAction index(String id, String routing, Map<String, Object> document) {
        return new DocumentAction(Op.INDEX, id, routing, document);
    }

    /** Sets {@code fields} on an existing document (a missing one counts as done: nothing to change). */
    public static DocumentAction update(String id, String routing, Map<String, Object> fields) {
        return new DocumentAction(Op.UPDATE, id, routing, fields);
    }

    public static DocumentAction delete(String id, String routing) {
        return new DocumentAction(Op.DELETE, id, routing, null);
    }
}
