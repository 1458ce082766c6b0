package dev.parley.schema;

import java.util.List;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.ConfigDef;

/**
 * Renders a {@code ConfigDef} as the Markdown table the README carries, so the documentation is
 * generated from the definitions, never typed twice. Tests compare the README with this output.
 */
public final class ConfigTable {

    private ConfigTable() {}

    public static String markdown(ConfigDef config) {
        StringBuilder out = new StringBuilder("| key | default | meaning |\n|---|---|---|\n");
        for (ConfigDef.ConfigKey key : config.configKeys().values()) {
            out.append("| `")
                    .append(key.name)
                    .append("` | ")
                    .append(defaultOf(key))
                    .append(" | ")
                    .append(key.documentation.replace("|", "\\|"))
                    .append(" |\n");
        }
        return out.toString();
    }

    private static String defaultOf(ConfigDef.ConfigKey key) {
        if (!key.hasDefault() || key.defaultValue == null) {
            return "*(none)*";
        }
        Object value = key.defaultValue;
        if (value instanceof List<?> list) {
            value = list.stream().map(Object::toString).collect(Collectors.joining(","));
        }
        return "`" + value + "`";
    }

    /** Prints every table, for pasting into the README: {@code java dev.parley.schema.ConfigTable CLASS...}. */
    public static void main(String[] args) throws Exception {
        for (String className : args) {
            ConfigDef def =
                    (ConfigDef) Class.forName(className).getField("CONFIG").get(null);
            System.out.println("<!-- generated from " + className + ".CONFIG -->");
            System.out.print(markdown(def));
            System.out.println();
        }
    }
}
