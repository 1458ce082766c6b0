package dev.parley.schema;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * Gathers settings for a {@code ConfigDef}: an optional properties file, then environment variables
 * ({@code PARLEY_} + the key upper-cased with dots and dashes as underscores, e.g. {@code
 * PARLEY_BOOTSTRAP_SERVERS}), then explicit overrides. Later sources win. Only keys the component
 * defines are taken from the environment, so a compose file cannot set a key nothing reads.
 */
public final class ConfigSources {

    private ConfigSources() {}

    public static Map<String, Object> gather(
            Set<String> definedKeys, Path propertiesFile, Map<String, String> env, Map<String, ?> overrides) {
        Map<String, Object> values = new HashMap<>();
        if (propertiesFile != null) {
            Properties props = new Properties();
            try (InputStream in = Files.newInputStream(propertiesFile)) {
                props.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + propertiesFile, e);
            }
            props.forEach((k, v) -> values.put(k.toString(), v));
        }
        for (String key : definedKeys) {
            String fromEnv = env.get(envName(key));
            if (fromEnv != null) {
                values.put(key, fromEnv);
            }
        }
        values.putAll(overrides);
        return values;
    }

    public static String envName(String key) {
        return "PARLEY_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }
}
