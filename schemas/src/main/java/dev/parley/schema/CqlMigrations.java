package dev.parley.schema;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The versioned CQL migrations in {@code cql/} on the class path, the one place the Cassandra schema
 * changes. Version n is the n-th entry of {@link #FILES}; a file is never edited once released (its
 * checksum is recorded when applied and checked on every later run): a change is a new file.
 */
public final class CqlMigrations {

    /** In order. Adding a migration: a new file {@code Vnnn__what.cql} and its name here. */
    static final List<String> FILES = List.of(
            "V001__initial.cql", "V002__media.cql", "V003__edits.cql", "V006__cleanup.cql", "V007__channels.cql");

    /** The schema version this build needs: the last file's. */
    public static final int LATEST = version(FILES.get(FILES.size() - 1));

    /** One migration file: its version, name, CQL statements and the checksum of its text. */
    public record Migration(int version, String name, String text, String checksum) {

        /** The statements with {@code ${keyspace}} replaced, comments and blank lines dropped. */
        public List<String> statements(String keyspace) {
            List<String> out = new ArrayList<>();
            StringBuilder current = new StringBuilder();
            for (String line : text.split("\n", -1)) {
                String trimmed = line.strip();
                if (trimmed.isEmpty() || trimmed.startsWith("--")) {
                    continue;
                }
                current.append(current.length() == 0 ? "" : " ").append(trimmed);
                if (trimmed.endsWith(";")) {
                    current.setLength(current.length() - 1);
                    out.add(current.toString().replace("${keyspace}", keyspace));
                    current.setLength(0);
                }
            }
            if (current.length() > 0) {
                throw new IllegalStateException(name + ": the last statement does not end with ';'");
            }
            return out;
        }
    }

    private CqlMigrations() {}

    public static List<Migration> all() {
        List<Migration> out = new ArrayList<>();
        int previous = 0;
        for (String name : FILES) {
            int version = version(name);
            if (version <= previous) {
                throw new IllegalStateException(name + " is listed after version " + previous);
            }
            previous = version;
            String text = read("cql/" + name);
            out.add(new Migration(version, name, text, checksum(text)));
        }
        return out;
    }

    private static int version(String name) {
        return Integer.parseInt(name.substring(1, name.indexOf("__")));
    }

    static String checksum(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static String read(String resource) {
        try (InputStream in = CqlMigrations.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing migration " + resource + " on the class path");
            }
            // line endings normalised, so a checkout with CRLF has the same checksum
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("\r\n", "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
