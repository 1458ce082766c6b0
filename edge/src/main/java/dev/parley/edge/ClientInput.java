package dev.parley.edge;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.Map;

/**
 * What any text or number a client sends must be, on both transports (the socket's frame parser
 * and the HTTP JSON reader both ask here, so the rules cannot drift apart).
 *
 * <ul>
 *   <li>No string anywhere may hold a lone surrogate (UTF-8 cannot encode it: Avro and Cassandra
 *       would silently store {@code ?}) or NUL (no chat text needs it, and C-based tools cut
 *       strings there).
 *   <li>Identifiers (user, device and client message ids) are 1 to {@value #MAX_ID_CHARS}
 *       characters with no control, format (bidi overrides, zero-width) or white-space character:
 *       U+001F joins composite store keys, and Cassandra refuses keys over 64 KiB with a server
 *       error.
 *   <li>Names (display and group names) hold no control character and no bidi embedding, override
 *       or isolate: those make another user's name render as something else ("evil\u202Egnp.exe").
 *   <li>Sequence numbers are JSON integers from 1 to 2^53, the largest a JavaScript client holds
 *       exactly; {@code 18446744073709551617} (2^64 + 1) would otherwise wrap to 1.
 * </ul>
 */
public final class ClientInput {

    public static final int MAX_ID_CHARS = 128;
    public static final long MAX_SEQ = 1L << 53;

    private ClientInput() {}

    /** Why a string in {@code tree} (values and field names) is not acceptable text, or null. */
    public static String problemIn(JsonNode tree) {
        Deque<JsonNode> todo = new ArrayDeque<>();
        todo.push(tree);
        while (!todo.isEmpty()) {
            JsonNode node = todo.pop();
            if (node.isTextual()) {
                String problem = problemIn(node.textValue());
                if (problem != null) {
                    return problem;
                }
            } else if (node.isObject()) {
                for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> field = it.next();
                    String problem = problemIn(field.getKey());
                    if (problem != null) {
                        return problem;
                    }
                    todo.push(field.getValue());
                }
            } else if (node.isArray()) {
                node.forEach(todo::push);
            }
        }
        return null;
    }

    private static String problemIn(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\u0000') {
                return "text must not contain NUL";
            }
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return "text must be valid Unicode (a lone surrogate \\u" + Integer.toHexString(c) + " was sent)";
            }
        }
        return null;
    }

    /** An id of 1 to 128 characters without control, format or white-space characters. */
    public static boolean isIdentifier(String id) {
        if (id == null || id.isEmpty() || id.length() > MAX_ID_CHARS) {
            return false;
        }
        return id.codePoints()
                .noneMatch(cp -> Character.isISOControl(cp)
                        || Character.isWhitespace(cp)
                        || Character.isSpaceChar(cp)
                        || Character.getType(cp) == Character.FORMAT
                        || Character.getType(cp) == Character.SURROGATE);
    }

    /** A name without control characters or bidi embeddings, overrides and isolates. */
    public static boolean isName(String name) {
        return name != null && name.codePoints().noneMatch(cp -> Character.isISOControl(cp) || isBidiControl(cp));
    }

    private static boolean isBidiControl(int cp) {
        return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
    }

    /**
     * A seq in a URL path: decimal digits only, few enough not to overflow ("+1", "1e3" and 2^64 + 1
     * are refused), from 1 to 2^53; null for anything else.
     */
    public static Long pathSeq(String text) {
        if (text == null
                || text.isEmpty()
                || text.length() > 16
                || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return null;
        }
        long value = Long.parseLong(text);
        return value >= 1 && value <= MAX_SEQ ? value : null;
    }

    /** Longest filename kept for an upload, in code points (what common file systems allow). */
    public static final int MAX_FILENAME_CODE_POINTS = 255;

    /**
     * The filename of an upload as stored and shown: its last path segment (a client's "C:\x\a.png"
     * or "../../a.png" is "a.png"), without control characters, bidi controls (which make
     * "exe.png" of "gnp.exe") or quotes, at most {@value #MAX_FILENAME_CODE_POINTS} code points;
     * "file" when nothing is left. Never a refusal: a filename is decoration.
     */
    public static String filename(String raw) {
        if (raw == null) {
            return "file";
        }
        String name = raw.substring(Math.max(raw.lastIndexOf('/'), raw.lastIndexOf('\\')) + 1);
        StringBuilder out = new StringBuilder();
        name.codePoints()
                .filter(cp -> !Character.isISOControl(cp)
                        && !isBidiControl(cp)
                        && cp != '"'
                        && Character.getType(cp) != Character.SURROGATE
                        && Character.getType(cp) != Character.FORMAT)
                .limit(MAX_FILENAME_CODE_POINTS)
                .forEach(out::appendCodePoint);
        String clean = out.toString().strip();
        return clean.isEmpty() || clean.equals(".") || clean.equals("..") ? "file" : clean;
    }

    /** The seq a client sent: a JSON integer from 1 to 2^53; null for anything else. */
    public static Long seq(JsonNode node) {
        if (node == null || !node.isIntegralNumber() || !node.canConvertToLong()) {
            return null;
        }
        long value = node.longValue();
        return value >= 1 && value <= MAX_SEQ ? value : null;
    }
}
