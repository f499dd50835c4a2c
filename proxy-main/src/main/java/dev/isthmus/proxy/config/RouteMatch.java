package dev.isthmus.proxy.config;

import java.util.List;
import java.util.Objects;

/**
 * The conditions of one route: a path condition and zero or more header conditions, all of which must hold.
 *
 * @param path    exactly one of exact path, prefix or regex
 * @param headers further conditions, in config order
 */
public record RouteMatch(PathMatch path, List<HeaderMatch> headers) {

    public RouteMatch {
        Objects.requireNonNull(path, "path");
        headers = List.copyOf(headers);
    }
}
