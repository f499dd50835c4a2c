package dev.isthmus.proxy.config;

import java.util.List;
import java.util.Objects;

/**
 * A set of routes chosen by the request's Host (port stripped, case-insensitive).
 *
 * @param name    for logs and stats; unique within its listener
 * @param domains exact names ({@code example.com}), suffix wildcards ({@code *.example.com}, which does not
 *                match {@code example.com} itself) or {@code *} (any host); stored lowercase
 * @param routes  tried in order
 */
public record VirtualHostConfig(String name, List<String> domains, List<RouteConfig> routes) {

    public VirtualHostConfig {
        Objects.requireNonNull(name, "name");
        domains = List.copyOf(domains);
        routes = List.copyOf(routes);
    }
}
