package dev.isthmus.proxy.config;

import java.util.Objects;

/**
 * One route: when {@code match} holds, do {@code action}. Routes are tried in config order; the first match wins.
 */
public record RouteConfig(RouteMatch match, RouteAction action) {

    public RouteConfig {
        Objects.requireNonNull(match, "match");
        Objects.requireNonNull(action, "action");
    }
}
