package dev.isthmus.proxy.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The whole validated configuration: immutable, built once from YAML or from the command line,
 * then handed to the runtime. Cluster references are by name here; hot-path structures use
 * {@link #clusterIndex(String)} to turn them into indexes into {@link #clusters()}.
 *
 * @param admin           the admin endpoint, if configured
 * @param workers         how many reactors
 * @param listeners       at least one
 * @param clusters        may be empty when every route answers directly
 * @param splicePipeBytes capacity asked of each splice pipe, from {@link #MIN_SPLICE_PIPE_BYTES} to
 *                        {@link #MAX_SPLICE_PIPE_BYTES}
 */
public record ProxyConfig(
        Optional<AdminConfig> admin,
        Workers workers,
        List<ListenerConfig> listeners,
        List<ClusterConfig> clusters,
        int splicePipeBytes) {

    /**
     * The kernel's own pipe size, and HAProxy's. Under BBR's internal pacing (no fq qdisc) it moved big bodies
     * 10-15% faster than 256 KiB pipes; under cubic, 256 KiB spent 15-20% less CPU per byte at the same rate
     * (perf/reports/2026-12-03-session-10.md).
     */
    public static final int DEFAULT_SPLICE_PIPE_BYTES = 64 * 1024;
    /** One page: the least a pipe holds. */
    public static final int MIN_SPLICE_PIPE_BYTES = 4096;
    /** {@code fs.pipe-max-size}'s default: the most an unprivileged process may ask for. */
    public static final int MAX_SPLICE_PIPE_BYTES = 1024 * 1024;

    public ProxyConfig {
        Objects.requireNonNull(admin, "admin");
        Objects.requireNonNull(workers, "workers");
        listeners = List.copyOf(listeners);
        clusters = List.copyOf(clusters);
        if (splicePipeBytes < MIN_SPLICE_PIPE_BYTES || splicePipeBytes > MAX_SPLICE_PIPE_BYTES) {
            throw new IllegalArgumentException("splicePipeBytes " + splicePipeBytes + " out of range");
        }
    }

    /** A config with the default splice pipe size. */
    public ProxyConfig(Optional<AdminConfig> admin, Workers workers, List<ListenerConfig> listeners,
                       List<ClusterConfig> clusters) {
        this(admin, workers, listeners, clusters, DEFAULT_SPLICE_PIPE_BYTES);
    }

    /** The index of the named cluster in {@link #clusters()}, or -1. */
    public int clusterIndex(String name) {
        for (int i = 0; i < clusters.size(); i++) {
            if (clusters.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** The named listener. */
    public Optional<ListenerConfig> listener(String name) {
        return listeners.stream().filter(listener -> listener.name().equals(name)).findFirst();
    }

    /** The named cluster. */
    public Optional<ClusterConfig> cluster(String name) {
        int index = clusterIndex(name);
        return index < 0 ? Optional.empty() : Optional.of(clusters.get(index));
    }
}
