package dev.isthmus.proxy.route;

import dev.isthmus.proxy.config.ListenerConfig;
import dev.isthmus.proxy.config.PathMatch;
import dev.isthmus.proxy.config.Protocol;
import dev.isthmus.proxy.config.ProxyConfig;
import dev.isthmus.proxy.config.RouteAction;
import dev.isthmus.proxy.config.RouteConfig;
import dev.isthmus.proxy.config.VirtualHostConfig;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The compiled routing of one http listener, immutable and shared by every reactor thread: virtual hosts by Host,
 * then routes in order, first match wins. {@link #match} runs on the reactor thread that owns the request.
 * <p>
 * Matching allocates nothing, except for regex routes: each regex route that is tried (its path is the only
 * condition left) allocates a small {@link CharSequence} view and a {@link java.util.regex.Matcher}.
 * Exact and prefix paths compare raw bytes (case-sensitive, no decoding); header names compare
 * case-insensitively and values exactly; the first occurrence of a repeated header is the one compared.
 */
public final class RouteTable {
    private static final MemorySegment ROOT_PATH = MemorySegment.ofArray(new byte[] {'/'});

    private static final String CATCH_ALL_DOMAIN = "*";
    private static final String WILDCARD_PREFIX = "*";

    private final String listenerName;
    private final HostSelector hosts;

    private RouteTable(String listenerName, HostSelector hosts) {
        this.listenerName = listenerName;
        this.hosts = hosts;
    }

    /**
     * Compiles the routes of {@code listener}, an http listener of {@code config}; cluster names become indexes
     * into {@code config.clusters()}.
     *
     * @throws IllegalArgumentException if the listener is not http or names a cluster the config lacks
     *                                  (a config from the loader never does)
     */
    public static RouteTable compile(ProxyConfig config, ListenerConfig listener) {
        if (listener.protocol() != Protocol.HTTP) {
            throw new IllegalArgumentException("listener " + listener.name() + " is not http; it has no routes");
        }
        String prefix = listener.name();
        if (listener.virtualHosts().isEmpty()) {
            return new RouteTable(prefix, HostSelector.single(routes(config, prefix, listener.routes())));
        }
        List<byte[]> exactDomains = new ArrayList<>();
        List<CompiledRoute[]> exactRoutes = new ArrayList<>();
        List<Wildcard> wildcards = new ArrayList<>();
        CompiledRoute[] catchAll = null;
        for (VirtualHostConfig host : listener.virtualHosts()) {
            CompiledRoute[] routes = routes(config, prefix + "." + host.name(), host.routes());
            for (String domain : host.domains()) {
                if (domain.equals(CATCH_ALL_DOMAIN)) {
                    catchAll = routes;
                } else if (domain.startsWith(WILDCARD_PREFIX)) {
                    wildcards.add(new Wildcard(ascii(domain.substring(WILDCARD_PREFIX.length())), routes));
                } else {
                    exactDomains.add(ascii(domain));
                    exactRoutes.add(routes);
                }
            }
        }
        wildcards.sort(Comparator.comparingInt((Wildcard w) -> w.suffix().length).reversed());
        return new RouteTable(prefix, new HostSelector(
                exactDomains.toArray(byte[][]::new),
                exactRoutes.toArray(CompiledRoute[][]::new),
                wildcards.stream().map(Wildcard::suffix).toArray(byte[][]::new),
                wildcards.stream().map(Wildcard::routes).toArray(CompiledRoute[][]::new),
                catchAll));
    }

    /** The route for this request, or {@link Route#NO_ROUTE}. */
    public Route match(RequestView request) {
        CompiledRoute[] routes = hosts.select(request);
        if (routes == null) {
            return Route.NO_ROUTE;
        }
        long path = request.path();
        MemorySegment segment = request.pathSegment();
        long offset = Span.offset(path);
        int length = Span.length(path);
        if (length == 0) {
            // An absolute-form target without a path (http://host or http://host?q) means the root (RFC 9110 §4.2.3).
            segment = ROOT_PATH;
            offset = 0;
            length = 1;
        }
        for (CompiledRoute route : routes) {
            if (route.matches(request, segment, offset, length)) {
                return route.route();
            }
        }
        return Route.NO_ROUTE;
    }

    @Override
    public String toString() {
        return "RouteTable[" + listenerName + "]";
    }

    private record Wildcard(byte[] suffix, CompiledRoute[] routes) {
    }

    private static CompiledRoute[] routes(ProxyConfig config, String prefix, List<RouteConfig> routes) {
        CompiledRoute[] compiled = new CompiledRoute[routes.size()];
        for (int i = 0; i < compiled.length; i++) {
            RouteConfig route = routes.get(i);
            HeaderCondition[] headers = route.match().headers().stream()
                    .map(HeaderCondition::compile)
                    .toArray(HeaderCondition[]::new);
            Route action = action(config, prefix + ".routes[" + i + "]", route);
            compiled[i] = CompiledRoute.compile(route.match().path(), headers, action);
        }
        return compiled;
    }

    private static Route action(ProxyConfig config, String name, RouteConfig route) {
        return switch (route.action()) {
            case RouteAction.Forward f -> {
                int cluster = config.clusterIndex(f.cluster());
                if (cluster < 0) {
                    throw new IllegalArgumentException("route " + name + " names unknown cluster " + f.cluster());
                }
                PathMatch path = route.match().path();
                yield Route.forward(name, cluster,
                        f.prefixRewrite().map(RouteTable::nativeAscii).orElse(null),
                        CompiledRoute.literalLength(path),
                        f.hostRewrite().map(RouteTable::nativeAscii).orElse(null),
                        f.timeout().toNanos());
            }
            case RouteAction.DirectResponse d -> Route.respond(name, ResponseEncoder.directResponse(d));
            case RouteAction.Redirect r -> Route.respond(name, ResponseEncoder.redirect(r));
        };
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static MemorySegment nativeAscii(String text) {
        return ResponseEncoder.toNative(ascii(text));
    }
}
