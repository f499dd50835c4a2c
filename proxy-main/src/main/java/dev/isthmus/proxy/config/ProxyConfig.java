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
 * @param splicePipeSize  capacity asked of each splice pipe
 * @param pinWorkers      whether each worker thread is pinned to one CPU
 */
public record ProxyConfig(
        Optional<AdminConfig> admin,
        Workers workers,
        List<ListenerConfig> listeners,
        List<ClusterConfig> clusters,
        SplicePipeSize splicePipeSize,
        boolean pinWorkers) {

    public ProxyConfig {
        Objects.requireNonNull(admin, "admin");
        Objects.requireNonNull(workers, "workers");
        listeners = List.copyOf(listeners);
        clusters = List.copyOf(clusters);
        Objects.requireNonNull(splicePipeSize, "splicePipeSize");
    }

    /** A config whose splice pipes are sized {@code auto} and whose workers are not pinned. */
    public ProxyConfig(Optional<AdminConfig> admin, Workers workers, List<ListenerConfig> listeners,
                       List<ClusterConfig> clusters) {
        this(admin, workers, listeners, clusters, SplicePipeSize.AUTO, false);
    }

    /** This config with {@code workers} and {@code admin} in place of its own (the command line's overrides). */
    public ProxyConfig with(Workers workers, Optional<AdminConfig> admin) {
        return new ProxyConfig(admin, workers, listeners, clusters, splicePipeSize, pinWorkers);
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
