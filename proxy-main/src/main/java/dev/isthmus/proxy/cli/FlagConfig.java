package dev.isthmus.proxy.cli;

import dev.isthmus.proxy.config.AdminConfig;
import dev.isthmus.proxy.config.ClusterConfig;
import dev.isthmus.proxy.config.ConfigError;
import dev.isthmus.proxy.config.ConfigException;
import dev.isthmus.proxy.config.HostPort;
import dev.isthmus.proxy.config.HostPort.PortRule;
import dev.isthmus.proxy.config.HostResolver;
import dev.isthmus.proxy.config.ListenerConfig;
import dev.isthmus.proxy.config.PathMatch;
import dev.isthmus.proxy.config.Protocol;
import dev.isthmus.proxy.config.ProxyConfig;
import dev.isthmus.proxy.config.RouteAction;
import dev.isthmus.proxy.config.RouteConfig;
import dev.isthmus.proxy.config.RouteMatch;
import dev.isthmus.proxy.config.Workers;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Builds the config that {@code --listen/--upstream} stand for: one listener, one cluster and, for http,
 * one route sending every path ({@code prefix: /}) to that cluster. Everything else takes its YAML default.
 */
final class FlagConfig {

    /** Names errors in flag mode, where there is no file and no line. */
    static final String SOURCE = "command line";
    static final String LISTENER_NAME = "listen";
    static final String CLUSTER_NAME = "upstream";
    private static final String EVERY_PATH = "/";

    private FlagConfig() {
    }

    static ProxyConfig build(String listen, String upstreams, Protocol mode, Workers workers, String admin,
                             HostResolver resolver) throws ConfigException {
        List<ConfigError> errors = new ArrayList<>();
        HostPort listenAddress = parse(listen, "--listen", PortRule.ALLOW_ANY_PORT, resolver, errors);
        List<HostPort> endpoints = new ArrayList<>();
        for (String text : upstreams.split(",", -1)) {
            HostPort endpoint = parse(text.strip(), "--upstream", PortRule.REQUIRE_PORT, resolver, errors);
            if (endpoint != null && endpoints.contains(endpoint)) {
                errors.add(new ConfigError(SOURCE, 0, "--upstream", "duplicate endpoint " + endpoint));
            } else if (endpoint != null) {
                endpoints.add(endpoint);
            }
        }
        Optional<AdminConfig> adminConfig = Optional.empty();
        if (admin != null) {
            HostPort adminAddress = parse(admin, "--admin", PortRule.ALLOW_ANY_PORT, resolver, errors);
            if (adminAddress != null && listenAddress != null && adminAddress.overlaps(listenAddress)) {
                errors.add(new ConfigError(SOURCE, 0, "--admin",
                        "address " + adminAddress + " overlaps --listen " + listenAddress));
            }
            adminConfig = Optional.ofNullable(adminAddress).map(AdminConfig::new);
        }
        if (!errors.isEmpty()) {
            throw new ConfigException(errors);
        }
        ListenerConfig listener = switch (mode) {
            case HTTP -> ListenerConfig.http(LISTENER_NAME, listenAddress, List.of(new RouteConfig(
                    new RouteMatch(new PathMatch.Prefix(EVERY_PATH), List.of()),
                    RouteAction.Forward.to(CLUSTER_NAME))));
            case TCP -> ListenerConfig.tcp(LISTENER_NAME, listenAddress, CLUSTER_NAME);
        };
        return new ProxyConfig(adminConfig, workers, List.of(listener),
                List.of(ClusterConfig.of(CLUSTER_NAME, endpoints)));
    }

    private static HostPort parse(String text, String flag, PortRule rule, HostResolver resolver,
                                  List<ConfigError> errors) {
        try {
            return HostPort.parse(text, rule, resolver);
        } catch (IllegalArgumentException e) {
            errors.add(new ConfigError(SOURCE, 0, flag, e.getMessage()));
            return null;
        }
    }
}
