package dev.isthmus.proxy.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * Loads and validates a YAML config. It reads at the node level (snakeyaml-engine's Compose API), not into maps,
 * so that every error carries the line it is about: {@code FILE:LINE: FIELD: reason}. It reports every error it
 * can find in one pass, not just the first. Host names are resolved here, once.
 */
public final class ConfigLoader {

    /** The field named in errors about the YAML syntax itself, where no config field is known yet. */
    static final String YAML_FIELD = "yaml";
    /** A config file is a few KiB; this bound only stops a wrong file from being read whole. */
    private static final int MAX_CODE_POINTS = 4 * 1024 * 1024;

    private final HostResolver resolver;

    /** A loader that resolves host names with the system resolver. */
    public ConfigLoader() {
        this(HostResolver.SYSTEM);
    }

    public ConfigLoader(HostResolver resolver) {
        this.resolver = resolver;
    }

    /**
     * Loads {@code file}; errors name it as given.
     *
     * @throws IOException     when the file cannot be read
     * @throws ConfigException when it is not a valid config
     */
    public ProxyConfig load(Path file) throws IOException, ConfigException {
        return parse(file.toString(), Files.readString(file, StandardCharsets.UTF_8));
    }

    /**
     * Parses YAML text; {@code source} names it in errors.
     *
     * @throws ConfigException when it is not a valid config
     */
    public ProxyConfig parse(String source, String yaml) throws ConfigException {
        LoadSettings settings = LoadSettings.builder()
                .setLabel(source)
                .setCodePointLimit(MAX_CODE_POINTS)
                .build();
        Optional<Node> root;
        try {
            root = new Compose(settings).composeString(yaml);
        } catch (MarkedYamlEngineException e) {
            int line = e.getProblemMark().or(e::getContextMark).map(Mark::getLine).orElse(-1) + 1;
            throw new ConfigException(new ConfigError(source, Math.max(line, 1), YAML_FIELD, e.getProblem()));
        } catch (YamlEngineException e) {
            throw new ConfigException(new ConfigError(source, 1, YAML_FIELD, e.getMessage()));
        }
        if (root.isEmpty()) {
            throw new ConfigException(new ConfigError(source, 1, "listeners", "missing required field (the file is empty)"));
        }
        NodeReader reader = new NodeReader(source);
        ProxyConfig config = new ConfigReader(reader, resolver).read(root.get());
        if (config == null) {
            throw new ConfigException(reader.errors());
        }
        return config;
    }
}
