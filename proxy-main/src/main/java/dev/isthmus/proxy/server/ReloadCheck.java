package dev.isthmus.proxy.server;

import dev.isthmus.proxy.config.ListenerConfig;
import dev.isthmus.proxy.config.ProxyConfig;

import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Whether a running proxy can take a new config without a restart. Routes, virtual hosts and clusters (a tcp
 * listener's too) are swapped in place; the listening sockets and what they were built with (workers, addresses,
 * protocols, limits and timeouts, access logs, path normalization, socket buffers) and the admin endpoint stay as
 * they are, so a change to any of those is refused, naming it, rather than half applied.
 */
final class ReloadCheck {
    private static final List<Field> LISTENER_FIELDS = List.of(
            new Field("address", ListenerConfig::address),
            new Field("protocol", ListenerConfig::protocol),
            new Field("limits", ListenerConfig::limits),
            new Field("normalize_path", ListenerConfig::normalizePath),
            new Field("access_log", ListenerConfig::accessLog),
            new Field("socket buffer sizes", ListenerConfig::socketBuffers));

    private ReloadCheck() {
    }

    /** Why {@code next} cannot replace {@code running} on {@code reactors} reactors, or null when it can. */
    static String refusal(ProxyConfig running, ProxyConfig next, int reactors) {
        int workers = next.workers().resolve();
        if (workers != reactors) {
            return "workers: " + workers + " in the new config, " + reactors + " running";
        }
        if (!running.admin().equals(next.admin())) {
            return "admin: changed";
        }
        List<String> runningNames = running.listeners().stream().map(ListenerConfig::name).toList();
        List<String> nextNames = next.listeners().stream().map(ListenerConfig::name).toList();
        if (!runningNames.equals(nextNames)) {
            return "listeners: " + nextNames + " in the new config, " + runningNames + " running";
        }
        for (int i = 0; i < runningNames.size(); i++) {
            ListenerConfig was = running.listeners().get(i);
            ListenerConfig now = next.listeners().get(i);
            for (Field field : LISTENER_FIELDS) {
                if (!Objects.equals(field.value().apply(was), field.value().apply(now))) {
                    return "listener " + was.name() + ": " + field.name() + " changed";
                }
            }
        }
        return null;
    }

    private record Field(String name, Function<ListenerConfig, Object> value) {
    }
}
