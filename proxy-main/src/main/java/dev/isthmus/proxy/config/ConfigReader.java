package dev.isthmus.proxy.config;

import dev.isthmus.proxy.config.HostPort.PortRule;
import dev.isthmus.proxy.config.NodeReader.Fields;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Turns the YAML node tree of one config file into a {@link ProxyConfig} on the thread loading it (one instance
 * per load), recording every problem in its {@link NodeReader}.
 */
final class ConfigReader {

    private static final List<String> TOP_KEYS = List.of("admin", "workers", "pin_workers", "splice_pipe_bytes",
            "listeners", "clusters");
    private static final List<String> ADMIN_KEYS = List.of("address");
    private static final List<String> LISTENER_KEYS = List.of(
            "name", "address", "protocol", "cluster", "routes", "virtual_hosts",
            "request_head_timeout", "idle_timeout", "stream_idle_timeout", "max_connections",
            "max_request_head_bytes", "max_headers", "max_request_body_bytes", "splice_threshold_bytes",
            "drain_timeout", "normalize_path", "reject_encoded_slashes", "access_log", "socket_send_buffer_bytes",
            "socket_receive_buffer_bytes");
    private static final List<String> HTTP_ONLY_KEYS = List.of(
            "routes", "virtual_hosts", "request_head_timeout", "stream_idle_timeout", "max_request_head_bytes",
            "max_headers", "max_request_body_bytes", "normalize_path", "reject_encoded_slashes", "access_log");
    private static final List<String> CLUSTER_KEYS = List.of(
            "name", "endpoints", "lb", "connect_timeout", "idle_timeout", "max_connections", "max_pending",
            "ejection_time", "socket_send_buffer_bytes", "socket_receive_buffer_bytes");

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    private static final String AUTO = "auto";
    private static final int MIN_HEAD_BYTES = 1024;
    private static final int MAX_HEAD_BYTES = 1024 * 1024;
    private static final int MAX_HEADERS = 10_000;

    private final NodeReader reader;
    private final HostResolver resolver;
    private final List<ClusterReference> clusterReferences = new ArrayList<>();
    private final List<LocatedAddress> listenAddresses = new ArrayList<>();
    /** Every well-formed cluster name, valid cluster or not, so a broken cluster does not also break its users. */
    private final Map<String, Integer> clusterNameLines = new HashMap<>();

    /** A listening address with where it was written, for the overlap check. */
    private record LocatedAddress(HostPort address, Node node, String field) {
    }

    ConfigReader(NodeReader reader, HostResolver resolver) {
        this.reader = reader;
        this.resolver = resolver;
    }

    /** The config, or {@code null} when any error was recorded. */
    ProxyConfig read(Node root) {
        Fields f = reader.fields(root, "", TOP_KEYS);
        if (f == null) {
            return null;
        }
        Optional<AdminConfig> admin = f.has("admin") ? admin(f.get("admin")) : Optional.empty();
        Workers workers = f.has("workers") ? workers(f.get("workers")) : Workers.AUTO;
        Boolean pinWorkers = f.has("pin_workers") ? reader.bool(f.get("pin_workers"), "pin_workers") : Boolean.FALSE;
        SplicePipeSize splicePipeSize = f.has("splice_pipe_bytes")
                ? splicePipeSize(f.get("splice_pipe_bytes"))
                : SplicePipeSize.AUTO;
        Node listenersNode = f.get("listeners");
        List<ListenerConfig> listeners = List.of();
        if (listenersNode == null) {
            reader.error(f.node(), "listeners", "missing required field");
        } else {
            listeners = listeners(listenersNode);
        }
        List<ClusterConfig> clusters = f.has("clusters") ? clusters(f.get("clusters")) : List.of();
        checkClusterReferences();
        checkAddressOverlaps();
        if (!reader.errors().isEmpty()) {
            return null;
        }
        return new ProxyConfig(admin, workers, listeners, clusters, splicePipeSize, pinWorkers);
    }

    /** A listener, cluster or virtual host name: short, and safe in logs, stats and metrics names. */
    static String name(NodeReader reader, Node node, String field) {
        String text = reader.string(node, field);
        if (text != null && !NAME.matcher(text).matches()) {
            reader.error(node, field, "bad name '" + text
                    + "': use up to 64 letters, digits, '_', '-' and '.', starting with a letter or digit");
            return null;
        }
        return text;
    }

    private Optional<AdminConfig> admin(Node node) {
        Fields f = reader.fields(node, "admin", ADMIN_KEYS);
        Node addressNode = f == null ? null : f.require("address");
        HostPort address = addressNode == null ? null : listenAddress(addressNode, "admin.address");
        return address == null ? Optional.empty() : Optional.of(new AdminConfig(address));
    }

    private Workers workers(Node node) {
        if (node instanceof ScalarNode scalar && scalar.getTag().equals(Tag.STR)) {
            if (scalar.getValue().equals(AUTO)) {
                return Workers.AUTO;
            }
            reader.error(node, "workers", "expected auto or a number from 1 to " + Workers.MAX_COUNT
                    + ", got '" + scalar.getValue() + "'");
            return Workers.AUTO;
        }
        Integer count = reader.integer(node, "workers", 1, Workers.MAX_COUNT);
        return count == null ? Workers.AUTO : Workers.of(count);
    }

    private SplicePipeSize splicePipeSize(Node node) {
        if (node instanceof ScalarNode scalar && scalar.getTag().equals(Tag.STR)) {
            if (scalar.getValue().equals(AUTO)) {
                return SplicePipeSize.AUTO;
            }
            try {
                Sizes.parse(scalar.getValue());
            } catch (IllegalArgumentException e) {
                reader.error(node, "splice_pipe_bytes", "expected auto or a size from 4KiB to 1MiB (as 64KiB), got '"
                        + scalar.getValue() + "'");
                return SplicePipeSize.AUTO;
            }
        }
        Integer bytes = reader.size(node, "splice_pipe_bytes", SplicePipeSize.MIN_BYTES, SplicePipeSize.MAX_BYTES);
        return bytes == null ? SplicePipeSize.AUTO : new SplicePipeSize(bytes);
    }

    private List<ListenerConfig> listeners(Node node) {
        List<Node> items = reader.items(node, "listeners");
        if (items == null) {
            return List.of();
        }
        if (items.isEmpty()) {
            reader.error(node, "listeners", "needs at least one listener");
        }
        Map<String, Integer> nameLines = new HashMap<>();
        List<ListenerConfig> listeners = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            ListenerConfig listener = listener(items.get(i), NodeReader.index("listeners", i), nameLines);
            if (listener != null) {
                listeners.add(listener);
            }
        }
        return listeners;
    }

    private ListenerConfig listener(Node node, String field, Map<String, Integer> nameLines) {
        Fields f = reader.fields(node, field, LISTENER_KEYS);
        if (f == null) {
            return null;
        }
        String name = uniqueName(f, nameLines, "listener");
        Node addressNode = f.require("address");
        HostPort address = addressNode == null ? null : listenAddress(addressNode, f.field("address"));
        Protocol protocol = f.has("protocol") ? protocol(f.get("protocol"), f.field("protocol")) : Protocol.HTTP;
        if (protocol == null) {
            return null;
        }
        ListenerLimits limits = limits(f);
        SocketBuffers buffers = socketBuffers(f);
        return switch (protocol) {
            case TCP -> tcpListener(f, name, address, limits, buffers);
            case HTTP -> httpListener(f, name, address, limits, buffers);
        };
    }

    private ListenerConfig tcpListener(Fields f, String name, HostPort address, ListenerLimits limits,
                                       SocketBuffers buffers) {
        for (String key : HTTP_ONLY_KEYS) {
            if (f.has(key)) {
                f.keyError(key, "only applies to http listeners");
            }
        }
        Node clusterNode = f.require("cluster");
        String cluster = clusterNode == null ? null : name(reader, clusterNode, f.field("cluster"));
        if (cluster != null) {
            clusterReferences.add(new ClusterReference(cluster, clusterNode, f.field("cluster")));
        }
        if (name == null || address == null || cluster == null || limits == null || buffers == null) {
            return null;
        }
        return new ListenerConfig(name, address, Protocol.TCP, Optional.of(cluster), List.of(), List.of(), limits,
                false, Optional.empty(), buffers, false);
    }

    private ListenerConfig httpListener(Fields f, String name, HostPort address, ListenerLimits limits,
                                        SocketBuffers buffers) {
        if (f.has("cluster")) {
            f.keyError("cluster", "only applies to tcp listeners (http listeners name clusters in routes)");
        }
        RouteReader routeReader = new RouteReader(reader, clusterReferences);
        List<RouteConfig> routes = List.of();
        List<VirtualHostConfig> virtualHosts = List.of();
        if (f.has("routes") && f.has("virtual_hosts")) {
            f.keyError("virtual_hosts", "a listener has either routes or virtual_hosts, not both");
        } else if (f.has("routes")) {
            routes = routeReader.routes(f.get("routes"), f.field("routes"));
        } else if (f.has("virtual_hosts")) {
            virtualHosts = routeReader.virtualHosts(f.get("virtual_hosts"), f.field("virtual_hosts"));
        } else {
            reader.error(f.node(), f.field("routes"), "missing required field (or virtual_hosts)");
        }
        Boolean normalizePath = f.has("normalize_path")
                ? reader.bool(f.get("normalize_path"), f.field("normalize_path"))
                : Boolean.valueOf(ListenerConfig.DEFAULT_NORMALIZE_PATH);
        Boolean rejectEncodedSlashes = f.has("reject_encoded_slashes")
                ? reader.bool(f.get("reject_encoded_slashes"), f.field("reject_encoded_slashes"))
                : Boolean.FALSE;
        Optional<Path> accessLog = f.has("access_log")
                ? accessLogPath(f.get("access_log"), f.field("access_log")) : Optional.empty();
        if (name == null || address == null || limits == null || f.has("cluster") || normalizePath == null
                || rejectEncodedSlashes == null || accessLog == null || buffers == null) {
            return null;
        }
        return new ListenerConfig(name, address, Protocol.HTTP, Optional.empty(), routes, virtualHosts, limits,
                normalizePath, accessLog, buffers, rejectEncodedSlashes);
    }

    /** The path as written, relative to the working directory; null (and an error recorded) when it is none. */
    private Optional<Path> accessLogPath(Node node, String field) {
        String text = reader.nonEmptyString(node, field);
        if (text == null) {
            return null;
        }
        try {
            return Optional.of(Path.of(text));
        } catch (InvalidPathException e) {
            reader.error(node, field, "not a file path: " + e.getReason());
            return null;
        }
    }

    private ListenerLimits limits(Fields f) {
        ListenerLimits d = ListenerLimits.DEFAULTS;
        Duration requestHeadTimeout = optionalDuration(f, "request_head_timeout", d.requestHeadTimeout());
        Duration idleTimeout = optionalDuration(f, "idle_timeout", d.idleTimeout());
        Duration streamIdleTimeout = optionalDuration(f, "stream_idle_timeout", d.streamIdleTimeout());
        Integer maxConnections = optionalInt(f, "max_connections", d.maxConnections(), 1, Integer.MAX_VALUE);
        Integer maxHeadBytes = f.has("max_request_head_bytes")
                ? reader.size(f.get("max_request_head_bytes"), f.field("max_request_head_bytes"),
                        MIN_HEAD_BYTES, MAX_HEAD_BYTES)
                : Integer.valueOf(d.maxRequestHeadBytes());
        Integer maxHeaders = optionalInt(f, "max_headers", d.maxHeaders(), 1, MAX_HEADERS);
        Long maxBodyBytes = maxRequestBodyBytes(f);
        Integer spliceThreshold = f.has("splice_threshold_bytes")
                ? reader.size(f.get("splice_threshold_bytes"), f.field("splice_threshold_bytes"),
                        0, Integer.MAX_VALUE)
                : Integer.valueOf(d.spliceThresholdBytes());
        Duration drainTimeout = optionalDuration(f, "drain_timeout", d.drainTimeout());
        if (requestHeadTimeout == null || idleTimeout == null || streamIdleTimeout == null || maxConnections == null
                || maxHeadBytes == null || maxHeaders == null || maxBodyBytes == null || spliceThreshold == null
                || drainTimeout == null) {
            return null;
        }
        return new ListenerLimits(requestHeadTimeout, idleTimeout, streamIdleTimeout, maxConnections, maxHeadBytes,
                maxHeaders, maxBodyBytes, spliceThreshold, drainTimeout);
    }

    /** The limit, {@link ListenerLimits#NO_BODY_LIMIT} when unset, or null (and an error recorded) when invalid. */
    private Long maxRequestBodyBytes(Fields f) {
        if (!f.has("max_request_body_bytes")) {
            return ListenerLimits.NO_BODY_LIMIT;
        }
        return reader.longSize(f.get("max_request_body_bytes"), f.field("max_request_body_bytes"), 0,
                Long.MAX_VALUE);
    }

    private SocketBuffers socketBuffers(Fields f) {
        Integer send = optionalSocketBuffer(f, "socket_send_buffer_bytes");
        Integer receive = optionalSocketBuffer(f, "socket_receive_buffer_bytes");
        return send == null || receive == null ? null : new SocketBuffers(send, receive);
    }

    private Integer optionalSocketBuffer(Fields f, String key) {
        return f.has(key)
                ? reader.size(f.get(key), f.field(key), SocketBuffers.MIN_BYTES, SocketBuffers.MAX_BYTES)
                : Integer.valueOf(0);
    }

    private Protocol protocol(Node node, String field) {
        String text = reader.string(node, field);
        if (text == null) {
            return null;
        }
        for (Protocol p : Protocol.values()) {
            if (p.configName().equals(text)) {
                return p;
            }
        }
        reader.error(node, field, "expected http or tcp, got '" + text + "'");
        return null;
    }

    private List<ClusterConfig> clusters(Node node) {
        List<Node> items = reader.items(node, "clusters");
        if (items == null) {
            return List.of();
        }
        List<ClusterConfig> clusters = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            ClusterConfig cluster = cluster(items.get(i), NodeReader.index("clusters", i), clusterNameLines);
            if (cluster != null) {
                clusters.add(cluster);
            }
        }
        return clusters;
    }

    private ClusterConfig cluster(Node node, String field, Map<String, Integer> nameLines) {
        Fields f = reader.fields(node, field, CLUSTER_KEYS);
        if (f == null) {
            return null;
        }
        String name = uniqueName(f, nameLines, "cluster");
        Node endpointsNode = f.require("endpoints");
        List<HostPort> endpoints = endpointsNode == null ? null : endpoints(endpointsNode, f.field("endpoints"));
        LoadBalancerPolicy lb = f.has("lb") ? lb(f.get("lb"), f.field("lb")) : ClusterConfig.DEFAULT_LB;
        Duration connectTimeout = optionalDuration(f, "connect_timeout", ClusterConfig.DEFAULT_CONNECT_TIMEOUT);
        Duration idleTimeout = optionalDuration(f, "idle_timeout", ClusterConfig.DEFAULT_IDLE_TIMEOUT);
        Integer maxConnections = optionalInt(f, "max_connections", ClusterConfig.DEFAULT_MAX_CONNECTIONS,
                1, Integer.MAX_VALUE);
        Integer maxPending = optionalInt(f, "max_pending", ClusterConfig.DEFAULT_MAX_PENDING, 0, Integer.MAX_VALUE);
        Duration ejectionTime = f.has("ejection_time")
                ? reader.durationOrZero(f.get("ejection_time"), f.field("ejection_time"))
                : ClusterConfig.DEFAULT_EJECTION_TIME;
        SocketBuffers buffers = socketBuffers(f);
        if (name == null || endpoints == null || lb == null || connectTimeout == null || idleTimeout == null
                || maxConnections == null || maxPending == null || ejectionTime == null || buffers == null) {
            return null;
        }
        return new ClusterConfig(name, endpoints, lb, connectTimeout, idleTimeout, maxConnections, maxPending,
                ejectionTime, buffers);
    }

    private List<HostPort> endpoints(Node node, String field) {
        List<Node> items = reader.items(node, field);
        if (items == null) {
            return null;
        }
        if (items.isEmpty()) {
            reader.error(node, field, "needs at least one endpoint");
            return null;
        }
        Map<HostPort, Integer> seen = new HashMap<>();
        List<HostPort> endpoints = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            Node item = items.get(i);
            String itemField = NodeReader.index(field, i);
            HostPort endpoint = reader.parsed(item, itemField,
                    text -> HostPort.parse(text, PortRule.REQUIRE_PORT, resolver));
            if (endpoint == null) {
                continue;
            }
            Integer first = seen.putIfAbsent(endpoint, NodeReader.line(item));
            if (first != null) {
                reader.error(item, itemField, "duplicate endpoint " + endpoint + " (first at line " + first + ")");
                continue;
            }
            endpoints.add(endpoint);
        }
        return endpoints.size() == items.size() ? endpoints : null;
    }

    private LoadBalancerPolicy lb(Node node, String field) {
        String text = reader.string(node, field);
        if (text == null) {
            return null;
        }
        for (LoadBalancerPolicy policy : LoadBalancerPolicy.values()) {
            if (policy.configName().equals(text)) {
                return policy;
            }
        }
        reader.error(node, field, "expected round_robin, random or least_request, got '" + text + "'");
        return null;
    }

    private String uniqueName(Fields f, Map<String, Integer> nameLines, String what) {
        Node nameNode = f.require("name");
        String name = nameNode == null ? null : name(reader, nameNode, f.field("name"));
        if (name == null) {
            return null;
        }
        Integer first = nameLines.putIfAbsent(name, NodeReader.line(nameNode));
        if (first != null) {
            reader.error(nameNode, f.field("name"),
                    "duplicate " + what + " name '" + name + "' (first at line " + first + ")");
            return null;
        }
        return name;
    }

    private HostPort listenAddress(Node node, String field) {
        HostPort address = reader.parsed(node, field, text -> HostPort.parse(text, PortRule.ALLOW_ANY_PORT, resolver));
        if (address != null) {
            listenAddresses.add(new LocatedAddress(address, node, field));
        }
        return address;
    }

    private Duration optionalDuration(Fields f, String key, Duration fallback) {
        return f.has(key) ? reader.duration(f.get(key), f.field(key)) : fallback;
    }

    private Integer optionalInt(Fields f, String key, int fallback, int min, int max) {
        return f.has(key) ? reader.integer(f.get(key), f.field(key), min, max) : Integer.valueOf(fallback);
    }

    private void checkClusterReferences() {
        for (ClusterReference ref : clusterReferences) {
            if (!clusterNameLines.containsKey(ref.name())) {
                reader.error(ref.node(), ref.field(), "unknown cluster '" + ref.name() + "'");
            }
        }
    }

    /** Listening addresses must not overlap (see {@link HostPort#overlaps}); the later one is reported. */
    private void checkAddressOverlaps() {
        for (int i = 0; i < listenAddresses.size(); i++) {
            LocatedAddress later = listenAddresses.get(i);
            for (int j = 0; j < i; j++) {
                LocatedAddress earlier = listenAddresses.get(j);
                HostPort a = earlier.address();
                HostPort b = later.address();
                if (b.overlaps(a)) {
                    reader.error(later.node(), later.field(), "address " + b + " overlaps " + a + " of "
                            + earlier.field() + " (line " + NodeReader.line(earlier.node()) + ")");
                    break;
                }
            }
        }
    }
}
