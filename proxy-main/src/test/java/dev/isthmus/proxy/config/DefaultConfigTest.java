package dev.isthmus.proxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The shipped config/isthmus.yaml is valid as is, and with every commented example enabled. */
class DefaultConfigTest {

    /** Surefire runs in the module directory; the config lives at the repository root. */
    private static final Path DEFAULT_CONFIG = Path.of("..", "config", "isthmus.yaml");
    /** "# " after the indentation marks an example line; "##" marks prose, which stays a comment. */
    private static final Pattern EXAMPLE_LINE = Pattern.compile("^(\\s*)# ?(?!#)");

    @Test
    void defaultConfigIsValidAndAnswersWithoutUpstreams() throws Exception {
        ProxyConfig config = new ConfigLoader().load(DEFAULT_CONFIG);
        assertEquals(1, config.listeners().size());
        ListenerConfig web = config.listeners().get(0);
        assertEquals("web", web.name());
        assertEquals("127.0.0.1:8080", web.address().toString());
        assertEquals(List.of(), config.clusters());
        RouteConfig root = web.routes().get(0);
        assertEquals(new PathMatch.Exact("/"), root.match().path());
        RouteAction.DirectResponse answer = assertInstanceOf(RouteAction.DirectResponse.class, root.action());
        assertEquals(true, answer.body().contains("README.md"));
    }

    @Test
    void everyCommentedExampleIsValidWhenEnabled() throws Exception {
        String enabled = Files.readAllLines(DEFAULT_CONFIG).stream()
                .map(line -> EXAMPLE_LINE.matcher(line).replaceFirst("$1"))
                .collect(Collectors.joining("\n"));
        ProxyConfig config = new ConfigLoader().parse("isthmus.yaml with examples enabled", enabled);
        assertEquals(List.of("web", "sites", "postgres"),
                config.listeners().stream().map(ListenerConfig::name).toList());
        assertEquals(List.of("api", "api-canary", "static", "postgres"),
                config.clusters().stream().map(ClusterConfig::name).toList());
        assertEquals(true, config.admin().isPresent());
        assertEquals(8, config.listeners().get(0).routes().size());
    }
}
