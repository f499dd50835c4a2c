package dev.isthmus.proxy.server;

import dev.isthmus.proxy.config.ListenerConfig;
import dev.isthmus.proxy.config.ProxyConfig;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Whether a running proxy can take a new config without a restart. Routes, virtual hosts and clusters (a tcp
 * listener's too), a listener's timeouts, {@code max_connections}, body limit and splice threshold are swapped in
 * place, and listeners may come and go by name; a listener that stays keeps its sockets and what they and its
 * buffers were built with (address, protocol, head size and header count limits, access log, path normalization and
 * its encoded-slash rule, socket buffers), and so do the workers and their pinning, the splice pipe size (the
 * reactors' pipe pools are built with it) and the admin endpoint, so a change to any of those is refused, naming it,
 * rather than half applied.
 */
final class ReloadCheck {
    private static final List<Field> LISTENER_FIELDS = List.of(
            new Field("address", ListenerConfig::address),
            new Field("protocol", ListenerConfig::protocol),
            new Field("max_request_head_bytes", listener -> listener.limits().maxRequestHeadBytes()),
            new Field("max_headers", listener -> listener.limits().maxHeaders()),
            new Field("normalize_path", ListenerConfig::normalizePath),
            new Field("reject_encoded_slashes", ListenerConfig::rejectEncodedSlashes),
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
        if (running.pinWorkers() != next.pinWorkers()) {
            return "pin_workers: " + next.pinWorkers() + " in the new config, " + running.pinWorkers() + " running";
        }
        if (!running.splicePipeSize().equals(next.splicePipeSize())) {
            return "splice_pipe_bytes: " + next.splicePipeSize() + " in the new config, " + running.splicePipeSize()
                    + " running";
        }
        if (!running.admin().equals(next.admin())) {
            return "admin: changed";
        }
        for (ListenerConfig was : running.listeners()) {
            Optional<ListenerConfig> now = next.listener(was.name());
            if (now.isEmpty()) {
                continue;
            }
            for (Field field : LISTENER_FIELDS) {
                if (!Objects.equals(field.value().apply(was), field.value().apply(now.get()))) {
                    return "listener " + was.name() + ": " + field.name() + " changed";
                }
            }
        }
        return null;
    }


    private record Field(String name, Function<ListenerConfig, Object> value) {
    }
}
