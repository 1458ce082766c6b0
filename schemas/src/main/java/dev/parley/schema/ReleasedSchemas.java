package dev.parley.schema;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.Schema;

/**
 * The value schemas of topics and of state stores as published in each release, kept as fully
 * resolved {@code .avsc} files under {@code /released/<version>/} and listed in {@code
 * /released/index.txt} in release order. They let readers decode records written by older releases
 * (a store's changelog is read back by the code of the next release after an upgrade) and let the
 * compatibility test refuse a breaking change.
 */
public final class ReleasedSchemas {

    private static final String INDEX = "/released/index.txt";

    /** full name -> (version -> schema), versions in the index's (release) order: "v10" follows "v9". */
    private final Map<String, Map<String, Schema>> byName;

    private ReleasedSchemas(Map<String, Map<String, Schema>> byName) {
        this.byName = byName;
    }

    public static ReleasedSchemas load() {
        Map<String, Map<String, Schema>> byName = new TreeMap<>();
        for (String entry : readResource(INDEX).split("\n")) {
            String path = entry.strip();
            if (path.isEmpty() || path.startsWith("#")) {
                continue;
            }
            String version = path.substring(0, path.indexOf('/'));
            Schema schema = new Schema.Parser().parse(readResource("/released/" + path));
            byName.computeIfAbsent(schema.getFullName(), k -> new LinkedHashMap<>())
                    .put(version, schema);
        }
        return new ReleasedSchemas(byName);
    }

    /** Every released writer schema of a type, oldest first; empty for a type never released. */
    public List<Schema> writerSchemas(String fullName) {
        return new ArrayList<>(byName.getOrDefault(fullName, Map.of()).values());
    }

    /** Released type names with their versions, for the compatibility test. */
    public Map<String, Map<String, Schema>> all() {
        return byName;
    }

    private static String readResource(String name) {
        try (InputStream in = ReleasedSchemas.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
