package dev.isthmus.proxy.config;

import dev.isthmus.proxy.config.NodeReader.Fields;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;

/** Reads the routes and virtual hosts of one http listener, on the thread loading the config. */
final class RouteReader {

    private static final List<String> VIRTUAL_HOST_KEYS = List.of("name", "domains", "routes");
    private static final List<String> ROUTE_KEYS = List.of(
            "match", "cluster", "prefix_rewrite", "host_rewrite", "timeout", "direct_response", "redirect");
    private static final List<String> MATCH_KEYS = List.of("path", "prefix", "regex", "headers");
    private static final List<String> PATH_KINDS = List.of("path", "prefix", "regex");
    private static final List<String> ACTION_KINDS = List.of("cluster", "direct_response", "redirect");
    private static final List<String> FORWARD_ONLY_KEYS = List.of("prefix_rewrite", "host_rewrite", "timeout");
    private static final List<String> PRESENCE_KEYS = List.of("present");
    private static final List<String> DIRECT_RESPONSE_KEYS = List.of("status", "body", "content_type");
    private static final List<String> REDIRECT_KEYS = List.of("status", "location");

    private static final int MIN_DIRECT_STATUS = 200;
    private static final int MAX_STATUS = 599;
    private static final int NO_CONTENT = 204;
    private static final int NOT_MODIFIED = 304;
    private static final String TOKEN_SYMBOLS = "!#$%&'*+-.^_`|~";
    private static final String CATCH_ALL_DOMAIN = "*";
    private static final String WILDCARD_PREFIX = "*.";

    private final NodeReader reader;
    private final List<ClusterReference> clusterReferences;

    RouteReader(NodeReader reader, List<ClusterReference> clusterReferences) {
        this.reader = reader;
        this.clusterReferences = clusterReferences;
    }

    /** A non-empty list of routes; routes with errors are left out (their errors are recorded). */
    List<RouteConfig> routes(Node node, String field) {
        List<Node> items = reader.items(node, field);
        if (items == null) {
            return List.of();
        }
        if (items.isEmpty()) {
            reader.error(node, field, "needs at least one route");
        }
        List<RouteConfig> routes = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            RouteConfig route = route(items.get(i), NodeReader.index(field, i));
            if (route != null) {
                routes.add(route);
            }
        }
        return routes;
    }

    /** A non-empty list of virtual hosts with distinct names and domains. */
    List<VirtualHostConfig> virtualHosts(Node node, String field) {
        List<Node> items = reader.items(node, field);
        if (items == null) {
            return List.of();
        }
        if (items.isEmpty()) {
            reader.error(node, field, "needs at least one virtual host");
        }
        Map<String, Integer> nameLines = new HashMap<>();
        Map<String, Integer> domainLines = new HashMap<>();
        List<VirtualHostConfig> hosts = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            String hostField = NodeReader.index(field, i);
            Fields f = reader.fields(items.get(i), hostField, VIRTUAL_HOST_KEYS);
            if (f == null) {
                continue;
            }
            Node nameNode = f.require("name");
            String name = nameNode == null ? null : ConfigReader.name(reader, nameNode, f.field("name"));
            if (name != null) {
                Integer first = nameLines.putIfAbsent(name, NodeReader.line(nameNode));
                if (first != null) {
                    reader.error(nameNode, f.field("name"),
                            "duplicate virtual host name '" + name + "' (first at line " + first + ")");
                }
            }
            List<String> domains = domains(f, domainLines);
            Node routesNode = f.require("routes");
            List<RouteConfig> routes = routesNode == null ? List.of() : routes(routesNode, f.field("routes"));
            if (name != null && domains != null) {
                hosts.add(new VirtualHostConfig(name, domains, routes));
            }
        }
        return hosts;
    }

    private List<String> domains(Fields f, Map<String, Integer> domainLines) {
        Node node = f.require("domains");
        List<Node> items = node == null ? null : reader.items(node, f.field("domains"));
        if (items == null) {
            return null;
        }
        if (items.isEmpty()) {
            reader.error(node, f.field("domains"), "needs at least one domain");
            return null;
        }
        List<String> domains = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            String field = NodeReader.index(f.field("domains"), i);
            String text = reader.string(items.get(i), field);
            if (text == null) {
                continue;
            }
            String domain = text.toLowerCase(Locale.ROOT);
            String name = domain.startsWith(WILDCARD_PREFIX) ? domain.substring(WILDCARD_PREFIX.length()) : domain;
            if (!domain.equals(CATCH_ALL_DOMAIN) && !HostPort.isHostName(name)) {
                reader.error(items.get(i), field, "bad domain '" + text
                        + "': expected a host name without port, *.suffix, or *");
                continue;
            }
            Integer first = domainLines.putIfAbsent(domain, NodeReader.line(items.get(i)));
            if (first != null) {
                reader.error(items.get(i), field, "duplicate domain '" + text + "' (first at line " + first + ")");
                continue;
            }
            domains.add(domain);
        }
        return domains;
    }

    private RouteConfig route(Node node, String field) {
        Fields f = reader.fields(node, field, ROUTE_KEYS);
        if (f == null) {
            return null;
        }
        Node matchNode = f.require("match");
        RouteMatch match = matchNode == null ? null : match(matchNode, f.field("match"));
        RouteAction action = action(f, match);
        return match == null || action == null ? null : new RouteConfig(match, action);
    }

    private RouteMatch match(Node node, String field) {
        Fields f = reader.fields(node, field, MATCH_KEYS);
        if (f == null) {
            return null;
        }
        String kind = exactlyOne(f, PATH_KINDS);
        PathMatch path = kind == null ? null : switch (kind) {
            case "path" -> {
                String exact = pathLiteral(f.get("path"), f.field("path"));
                yield exact == null ? null : new PathMatch.Exact(exact);
            }
            case "prefix" -> {
                String prefix = pathLiteral(f.get("prefix"), f.field("prefix"));
                yield prefix == null ? null : new PathMatch.Prefix(prefix);
            }
            case "regex" -> regex(f.get("regex"), f.field("regex"));
            default -> throw new AssertionError("PATH_KINDS has three kinds");
        };
        List<HeaderMatch> headers = f.has("headers") ? headers(f.get("headers"), f.field("headers")) : List.of();
        return path == null || headers == null ? null : new RouteMatch(path, headers);
    }

    private PathMatch regex(Node node, String field) {
        String text = reader.string(node, field);
        if (text == null) {
            return null;
        }
        try {
            return new PathMatch.Regex(Pattern.compile(text));
        } catch (PatternSyntaxException e) {
            String near = e.getIndex() >= 0 ? " at index " + e.getIndex() : "";
            reader.error(node, field, "invalid regex '" + text + "': " + e.getDescription() + near);
            return null;
        }
    }

    private List<HeaderMatch> headers(Node node, String field) {
        if (!(node instanceof MappingNode mapping)) {
            reader.error(node, field, "expected a mapping of header name to value or { present: true|false }");
            return null;
        }
        List<HeaderMatch> headers = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        boolean ok = true;
        for (NodeTuple tuple : mapping.getValue()) {
            Node keyNode = tuple.getKeyNode();
            String name = keyNode instanceof ScalarNode key ? key.getValue() : null;
            String headerField = NodeReader.join(field, name == null ? "?" : name);
            if (name == null || !isToken(name)) {
                reader.error(keyNode, headerField, "not a valid header name");
                ok = false;
                continue;
            }
            Integer first = seen.putIfAbsent(name.toLowerCase(Locale.ROOT), NodeReader.line(keyNode));
            if (first != null) {
                reader.error(keyNode, headerField, "duplicate header (first at line " + first + ")");
                ok = false;
                continue;
            }
            HeaderMatch header = header(name, tuple.getValueNode(), headerField);
            if (header == null) {
                ok = false;
            } else {
                headers.add(header);
            }
        }
        return ok ? headers : null;
    }

    private HeaderMatch header(String name, Node node, String field) {
        if (node instanceof MappingNode) {
            Fields f = reader.fields(node, field, PRESENCE_KEYS);
            Node presentNode = f == null ? null : f.require("present");
            Boolean present = presentNode == null ? null : reader.bool(presentNode, f.field("present"));
            return present == null ? null : new HeaderMatch.Presence(name, present);
        }
        String value = reader.string(node, field);
        if (value == null) {
            return null;
        }
        if (!value.equals(value.strip())) {
            reader.error(node, field, "value has leading or trailing whitespace, which never matches");
            return null;
        }
        if (!isFieldValue(value)) {
            reader.error(node, field, "value must be visible ASCII characters, spaces and tabs");
            return null;
        }
        return new HeaderMatch.Value(name, value);
    }

    private RouteAction action(Fields f, RouteMatch match) {
        String kind = exactlyOne(f, ACTION_KINDS);
        if (!"cluster".equals(kind)) {
            for (String key : FORWARD_ONLY_KEYS) {
                if (f.has(key)) {
                    f.keyError(key, "only applies to routes with cluster");
                }
            }
        }
        if (kind == null) {
            return null;
        }
        return switch (kind) {
            case "cluster" -> forward(f, match);
            case "direct_response" -> directResponse(f.get("direct_response"), f.field("direct_response"));
            case "redirect" -> redirect(f.get("redirect"), f.field("redirect"));
            default -> throw new AssertionError("ACTION_KINDS has three kinds");
        };
    }

    private RouteAction forward(Fields f, RouteMatch match) {
        String cluster = ConfigReader.name(reader, f.get("cluster"), f.field("cluster"));
        if (cluster != null) {
            clusterReferences.add(new ClusterReference(cluster, f.get("cluster"), f.field("cluster")));
        }
        boolean ok = cluster != null;
        Optional<String> prefixRewrite = Optional.empty();
        if (f.has("prefix_rewrite")) {
            if (match != null && match.path() instanceof PathMatch.Regex) {
                f.keyError("prefix_rewrite", "needs a path or prefix match, not regex");
                ok = false;
            }
            String rewrite = pathLiteral(f.get("prefix_rewrite"), f.field("prefix_rewrite"));
            ok &= rewrite != null;
            prefixRewrite = Optional.ofNullable(rewrite);
        }
        Optional<String> hostRewrite = Optional.empty();
        if (f.has("host_rewrite")) {
            String host = hostRewrite(f.get("host_rewrite"), f.field("host_rewrite"));
            ok &= host != null;
            hostRewrite = Optional.ofNullable(host);
        }
        Duration timeout = RouteAction.Forward.DEFAULT_TIMEOUT;
        if (f.has("timeout")) {
            timeout = reader.durationOrZero(f.get("timeout"), f.field("timeout"));
            ok &= timeout != null;
        }
        return ok ? new RouteAction.Forward(cluster, prefixRewrite, hostRewrite, timeout) : null;
    }

    private RouteAction directResponse(Node node, String field) {
        Fields f = reader.fields(node, field, DIRECT_RESPONSE_KEYS);
        if (f == null) {
            return null;
        }
        Integer status = RouteAction.DirectResponse.DEFAULT_STATUS;
        if (f.has("status")) {
            status = reader.integer(f.get("status"), f.field("status"), MIN_DIRECT_STATUS, MAX_STATUS);
        }
        String body = f.has("body") ? reader.string(f.get("body"), f.field("body")) : "";
        String contentType = RouteAction.DirectResponse.DEFAULT_CONTENT_TYPE;
        if (f.has("content_type")) {
            contentType = reader.nonEmptyString(f.get("content_type"), f.field("content_type"));
            if (contentType != null && !isFieldValue(contentType)) {
                reader.error(f.get("content_type"), f.field("content_type"),
                        "must be visible ASCII characters and spaces");
                contentType = null;
            }
        }
        if (status == null || body == null || contentType == null) {
            return null;
        }
        if ((status == NO_CONTENT || status == NOT_MODIFIED) && !body.isEmpty()) {
            reader.error(f.get("body"), f.field("body"), "a " + status + " response has no body");
            return null;
        }
        return new RouteAction.DirectResponse(status, body, contentType);
    }

    private RouteAction redirect(Node node, String field) {
        Fields f = reader.fields(node, field, REDIRECT_KEYS);
        if (f == null) {
            return null;
        }
        Integer status = RouteAction.Redirect.DEFAULT_STATUS;
        if (f.has("status")) {
            status = reader.integer(f.get("status"), f.field("status"), 0, MAX_STATUS);
            if (status != null && !RouteAction.Redirect.STATUSES.contains(status)) {
                reader.error(f.get("status"), f.field("status"),
                        "a redirect status is one of 301, 302, 303, 307, 308, got " + status);
                status = null;
            }
        }
        Node locationNode = f.require("location");
        String location = locationNode == null ? null : reader.nonEmptyString(locationNode, f.field("location"));
        if (location != null && !location.chars().allMatch(RouteReader::isVisibleAscii)) {
            reader.error(locationNode, f.field("location"),
                    "must be visible ASCII without spaces (percent-encode the rest)");
            location = null;
        }
        return status == null || location == null ? null : new RouteAction.Redirect(status, location);
    }

    /**
     * The one key of {@code kinds} present in {@code f}; with none or several, records an error and returns null.
     */
    private String exactlyOne(Fields f, List<String> kinds) {
        String found = null;
        for (String kind : kinds) {
            if (!f.has(kind)) {
                continue;
            }
            if (found != null) {
                f.keyError(kind, "only one of " + String.join(", ", kinds) + " (already has " + found + ")");
                return null;
            }
            found = kind;
        }
        if (found == null) {
            reader.error(f.node(), f.field(), "needs one of " + String.join(", ", kinds));
        }
        return found;
    }

    /** A path or prefix as it appears on the wire: starts with '/', visible ASCII, no query or fragment. */
    private String pathLiteral(Node node, String field) {
        String text = reader.string(node, field);
        if (text == null) {
            return null;
        }
        boolean ok = text.startsWith("/") && text.chars().allMatch(c -> isVisibleAscii(c) && c != '?' && c != '#');
        if (!ok) {
            reader.error(node, field, "must start with '/' and be visible ASCII without '?' or '#', got '"
                    + text + "'");
            return null;
        }
        return text;
    }

    private String hostRewrite(Node node, String field) {
        String text = reader.nonEmptyString(node, field);
        if (text == null) {
            return null;
        }
        boolean ok = text.chars().allMatch(c -> isVisibleAscii(c) && c != '/' && c != '?' && c != '#' && c != '@');
        if (!ok) {
            reader.error(node, field, "must be a host or host:port, got '" + text + "'");
            return null;
        }
        return text;
    }

    private static boolean isToken(String name) {
        return !name.isEmpty() && name.chars().allMatch(c ->
                (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                        || TOKEN_SYMBOLS.indexOf(c) >= 0);
    }

    private static boolean isFieldValue(String value) {
        return value.chars().allMatch(c -> isVisibleAscii(c) || c == ' ' || c == '\t');
    }

    private static boolean isVisibleAscii(int c) {
        return c > ' ' && c < 0x7f;
    }
}
