package dev.parley.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * The one JSON form of a {@link MediaDescriptor} (DESIGN 7.1): {@code {"media_id","content_type",
 * "size","filename","width"?,"height"?,"thumbnail":{"width","height"}|null}}. The edge puts it in
 * {@code message} frames and history answers; the Cassandra sink stores it in {@code
 * messages.attachments}, so history reads it back without decoding Avro.
 */
public final class MediaDescriptors {

    private static final ObjectMapper JSON = new ObjectMapper();

    private MediaDescriptors() {}

    public static ObjectNode toJson(MediaDescriptor d) {
        ObjectNode n = JSON.createObjectNode()
                .put("media_id", d.getMediaId())
                .put("content_type", d.getContentType())
                .put("size", d.getSize())
                .put("filename", d.getFilename());
        if (d.getWidth() != null) {
            n.put("width", d.getWidth());
        }
        if (d.getHeight() != null) {
            n.put("height", d.getHeight());
        }
        if (d.getThumbnail() == null) {
            n.putNull("thumbnail");
        } else {
            n.putObject("thumbnail")
                    .put("width", d.getThumbnail().getWidth())
                    .put("height", d.getThumbnail().getHeight());
        }
        return n;
    }

    /** The stored text form (one compact JSON object). */
    public static String toText(MediaDescriptor d) {
        return toJson(d).toString();
    }

    /** A stored descriptor as JSON; text that is not an object (never written so) reads as an empty object. */
    public static JsonNode parse(String text) {
        try {
            JsonNode node = JSON.readTree(text);
            return node != null && node.isObject() ? node : JSON.createObjectNode();
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }
}
