package dev.isthmus.proxy.config;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * A {@code HOST:PORT} from the config with its address resolved at load time.
 *
 * @param host    the host as written: an IPv4 literal, an IPv6 literal without brackets, or a host name
 * @param port    0..65535; 0 (any free port) only where the parser allowed it
 * @param address the resolved address the proxy binds or connects to
 */
public record HostPort(String host, int port, InetAddress address) {

    /** Whether port 0 (let the kernel choose) is acceptable: yes for listening addresses, no for upstreams. */
    public enum PortRule { ALLOW_ANY_PORT, REQUIRE_PORT }

    private static final int MAX_PORT = 65_535;
    private static final int MAX_PORT_DIGITS = 5;
    private static final int MAX_HOST_NAME_LENGTH = 253;
    private static final int MAX_LABEL_LENGTH = 63;
    private static final int IPV4_OCTETS = 4;
    private static final int MAX_OCTET = 255;
    private static final int MAX_OCTET_DIGITS = 3;
    private static final int HEX_RADIX = 16;

    public HostPort {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(address, "address");
        if (port < 0 || port > MAX_PORT) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    /** The address as a socket address, for bind/connect. */
    public InetSocketAddress socketAddress() {
        return new InetSocketAddress(address, port);
    }

    /** Whether this is the wildcard address (0.0.0.0 or [::]), which overlaps every address on the same port. */
    public boolean isWildcard() {
        return address.isAnyLocalAddress();
    }

    /**
     * Whether listening on both would collide: same port and the same address, or a wildcard covering the other.
     * {@code 0.0.0.0} covers IPv4 addresses; {@code [::]} covers every address, because Linux binds it dual-stack
     * unless IPV6_V6ONLY is set. With SO_REUSEPORT the kernel would not refuse the second bind; it would silently
     * share the traffic. Port 0 never collides: the kernel picks a distinct free port for each.
     */
    public boolean overlaps(HostPort other) {
        return port != 0 && port == other.port
                && (address.equals(other.address) || covers(other) || other.covers(this));
    }

    private boolean covers(HostPort other) {
        return isWildcard() && (address instanceof Inet6Address || !(other.address instanceof Inet6Address));
    }

    /** {@code host:port}, with brackets around IPv6 literals, as a user would write it. */
    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /** Parses with the system resolver; see {@link #parse(String, PortRule, HostResolver)}. */
    public static HostPort parse(String text, PortRule portRule) {
        return parse(text, portRule, HostResolver.SYSTEM);
    }

    /**
     * Parses {@code IPv4:PORT}, {@code [IPv6]:PORT} or {@code hostname:PORT}, resolving host names now.
     *
     * @throws IllegalArgumentException with a reason fit to follow {@code FILE:LINE: FIELD: }
     */
    public static HostPort parse(String text, PortRule portRule, HostResolver resolver) {
        String host;
        String portText;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0 || close + 1 >= text.length() || text.charAt(close + 1) != ':') {
                throw bad(text, "expected [IPv6]:PORT");
            }
            host = text.substring(1, close);
            portText = text.substring(close + 2);
        } else {
            int colon = text.lastIndexOf(':');
            if (colon < 0) {
                throw bad(text, "expected HOST:PORT");
            }
            host = text.substring(0, colon);
            portText = text.substring(colon + 1);
            if (host.indexOf(':') >= 0) {
                throw bad(text, "an IPv6 address needs brackets, as in [::1]:8080");
            }
        }
        int port = parsePort(text, portText, portRule);
        if (host.isEmpty()) {
            throw bad(text, "missing host");
        }
        return new HostPort(host, port, resolveHost(text, host, text.startsWith("["), resolver));
    }

    private static int parsePort(String text, String portText, PortRule portRule) {
        if (portText.isEmpty() || portText.length() > MAX_PORT_DIGITS || !portText.chars().allMatch(HostPort::isDigit)) {
            throw bad(text, "port must be a number from 1 to 65535");
        }
        int port = Integer.parseInt(portText);
        int min = portRule == PortRule.ALLOW_ANY_PORT ? 0 : 1;
        if (port < min || port > MAX_PORT) {
            throw bad(text, "port must be a number from " + min + " to 65535");
        }
        return port;
    }

    private static InetAddress resolveHost(String text, String host, boolean bracketed, HostResolver resolver) {
        if (bracketed) {
            return parseIpv6(text, host);
        }
        if (host.chars().allMatch(c -> isDigit(c) || c == '.')) {
            return parseIpv4(text, host);
        }
        if (!isHostName(host)) {
            throw bad(text, "not an IPv4 address, [IPv6] address or host name");
        }
        try {
            return resolver.resolve(host);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("cannot resolve host '" + host + "'");
        }
    }

    private static InetAddress parseIpv6(String text, String host) {
        boolean literalChars = !host.isEmpty() && host.indexOf(':') >= 0
                && host.chars().allMatch(c -> Character.digit(c, HEX_RADIX) >= 0 || c == ':' || c == '.');
        if (!literalChars) {
            throw bad(text, "not an IPv6 address");
        }
        try {
            // With brackets the JDK only accepts a literal: it never falls back to a DNS lookup.
            InetAddress address = InetAddress.getByName("[" + host + "]");
            if (!(address instanceof Inet6Address)) {
                throw bad(text, "not an IPv6 address");
            }
            return address;
        } catch (UnknownHostException e) {
            throw bad(text, "not an IPv6 address");
        }
    }

    /** Strict dotted quad: the JDK would also accept "1.2.3" and "010.0.0.1", which no one means. */
    private static InetAddress parseIpv4(String text, String host) {
        String[] parts = host.split("\\.", -1);
        if (parts.length != IPV4_OCTETS) {
            throw bad(text, "an IPv4 address has four numbers from 0 to 255, as in 127.0.0.1");
        }
        byte[] octets = new byte[IPV4_OCTETS];
        for (int i = 0; i < IPV4_OCTETS; i++) {
            String part = parts[i];
            boolean leadingZero = part.length() > 1 && part.charAt(0) == '0';
            if (part.isEmpty() || part.length() > MAX_OCTET_DIGITS || leadingZero || Integer.parseInt(part) > MAX_OCTET) {
                throw bad(text, "an IPv4 address has four numbers from 0 to 255, as in 127.0.0.1");
            }
            octets[i] = (byte) Integer.parseInt(part);
        }
        try {
            return InetAddress.getByAddress(octets);
        } catch (UnknownHostException e) {
            throw new AssertionError("four octets are always a valid IPv4 address", e);
        }
    }

    /** RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens. */
    static boolean isHostName(String host) {
        if (host.isEmpty() || host.length() > MAX_HOST_NAME_LENGTH) {
            return false;
        }
        for (String label : host.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > MAX_LABEL_LENGTH
                    || label.charAt(0) == '-' || label.charAt(label.length() - 1) == '-') {
                return false;
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                if (!(isDigit(c) || c == '-' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }

    private static IllegalArgumentException bad(String text, String reason) {
        return new IllegalArgumentException("bad address '" + text + "': " + reason);
    }
}
