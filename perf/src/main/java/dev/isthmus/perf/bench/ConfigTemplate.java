package dev.isthmus.perf.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A server config kept as a resource beside this class, with {@code ${name}} placeholders filled at render time. */
public final class ConfigTemplate {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([a-z_]+)}");

    private final String name;
    private final String text;

    private ConfigTemplate(String name, String text) {
        this.name = name;
        this.text = text;
    }

    /** Loads the resource {@code name} from this package. */
    public static ConfigTemplate load(String name) {
        try (InputStream in = ConfigTemplate.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("template resource " + name + " is missing from the perf jar");
            }
            return new ConfigTemplate(name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("reading template " + name, e);
        }
    }

    /** The text with every placeholder replaced; a placeholder without a value is an error, never left in place. */
    public String render(Map<String, String> values) {
        Matcher matcher = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        while (matcher.find()) {
            String value = values.get(matcher.group(1));
            if (value == null) {
                throw new IllegalArgumentException("template " + name + " needs a value for ${" + matcher.group(1) + "}");
            }
            matcher.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        return matcher.appendTail(out).toString();
    }

    /** Renders into {@code file} and returns it. */
    public Path renderTo(Path file, Map<String, String> values) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.writeString(file, render(values));
    }
}
