package dev.isthmus.proxy.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A named group of interchangeable upstream endpoints and how to use them.
 *
 * @param name           unique among clusters; routes and tcp listeners refer to it
 * @param endpoints      at least one; host names were resolved at load
 * @param lb             how an endpoint is picked
 * @param connectTimeout a non-blocking connect that has not completed by then fails (504, or a closed tcp connection)
 * @param idleTimeout    an idle pooled upstream connection is closed after this
 * @param maxConnections upstream connections open at once, per cluster per worker
 * @param maxPending     requests waiting for an upstream connection, per cluster per worker; beyond it 503
 * @param ejectionTime   an endpoint whose connect failed is skipped for this long (per worker); zero never skips
 * @param socketBuffers  kernel buffer sizes of the upstream sockets
 */
public record ClusterConfig(
        String name,
        List<HostPort> endpoints,
        LoadBalancerPolicy lb,
        Duration connectTimeout,
        Duration idleTimeout,
        int maxConnections,
        int maxPending,
        Duration ejectionTime,
        SocketBuffers socketBuffers) {

    public static final LoadBalancerPolicy DEFAULT_LB = LoadBalancerPolicy.ROUND_ROBIN;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(1);
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
    public static final int DEFAULT_MAX_CONNECTIONS = 1024;
    public static final int DEFAULT_MAX_PENDING = 1024;
    public static final Duration DEFAULT_EJECTION_TIME = Duration.ofSeconds(10);

    public ClusterConfig {
        Objects.requireNonNull(name, "name");
        endpoints = List.copyOf(endpoints);
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("cluster " + name + " has no endpoints");
        }
        Objects.requireNonNull(lb, "lb");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(ejectionTime, "ejectionTime");
        Objects.requireNonNull(socketBuffers, "socketBuffers");
    }

    /** A cluster with every optional field at its default. */
    public static ClusterConfig of(String name, List<HostPort> endpoints) {
        return new ClusterConfig(name, endpoints, DEFAULT_LB, DEFAULT_CONNECT_TIMEOUT, DEFAULT_IDLE_TIMEOUT,
                DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_PENDING, DEFAULT_EJECTION_TIME, SocketBuffers.KERNEL_DEFAULT);
    }
}
