package dev.isthmus.proxy.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One listening address and what to do with its connections.
 * An http listener has either {@code routes} or {@code virtualHosts} (the other list is empty) and no cluster;
 * a tcp listener has a {@code cluster} and neither list.
 *
 * @param name         unique among listeners
 * @param address      where to bind (every worker binds it with SO_REUSEPORT)
 * @param protocol     http or tcp
 * @param cluster      tcp only: where every connection goes
 * @param routes       http only, without virtual hosts: tried in order for every request
 * @param virtualHosts http only, without routes: picked by Host, then their routes are tried in order
 * @param limits       limits and timeouts (defaults where omitted)
 * @param normalizePath http only: match and forward the request path normalized (dot-segments removed, slashes
 *                      merged, encoded unreserved characters decoded), not as received
 * @param accessLog     http only: the file every finished request is appended to, one line each
 * @param socketBuffers kernel buffer sizes of the accepted (client) sockets
 * @param rejectEncodedSlashes http only: a path holding an encoded slash or backslash ({@code %2F}, {@code %5C}) is
 *                      answered 400 and never forwarded, for origins that decode one into a separator
 */
public record ListenerConfig(
        String name,
        HostPort address,
        Protocol protocol,
        Optional<String> cluster,
        List<RouteConfig> routes,
        List<VirtualHostConfig> virtualHosts,
        ListenerLimits limits,
        boolean normalizePath,
        Optional<Path> accessLog,
        SocketBuffers socketBuffers,
        boolean rejectEncodedSlashes) {

    /** Paths are normalized unless a listener says otherwise: a route rule must hold for every spelling of a path. */
    public static final boolean DEFAULT_NORMALIZE_PATH = true;

    public ListenerConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(cluster, "cluster");
        routes = List.copyOf(routes);
        virtualHosts = List.copyOf(virtualHosts);
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(accessLog, "accessLog");
        Objects.requireNonNull(socketBuffers, "socketBuffers");
        boolean shapeOk = switch (protocol) {
            case TCP -> cluster.isPresent() && routes.isEmpty() && virtualHosts.isEmpty() && accessLog.isEmpty()
                    && !rejectEncodedSlashes;
            case HTTP -> cluster.isEmpty() && (routes.isEmpty() || virtualHosts.isEmpty());
        };
        if (!shapeOk) {
            throw new IllegalArgumentException("listener " + name
                    + ": tcp needs a cluster only (no access log, no path rule), http needs routes or virtual hosts and"
                    + " no cluster");
        }
    }

    /** An http listener with top-level routes and default limits. */
    public static ListenerConfig http(String name, HostPort address, List<RouteConfig> routes) {
        return new ListenerConfig(name, address, Protocol.HTTP, Optional.empty(), routes, List.of(),
                ListenerLimits.DEFAULTS, DEFAULT_NORMALIZE_PATH, Optional.empty(), SocketBuffers.KERNEL_DEFAULT, false);
    }

    /** A tcp listener to {@code cluster} with default limits. */
    public static ListenerConfig tcp(String name, HostPort address, String cluster) {
        return new ListenerConfig(name, address, Protocol.TCP, Optional.of(cluster), List.of(), List.of(),
                ListenerLimits.DEFAULTS, false, Optional.empty(), SocketBuffers.KERNEL_DEFAULT, false);
    }
}
