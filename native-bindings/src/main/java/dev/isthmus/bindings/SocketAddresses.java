package dev.isthmus.bindings;

import dev.isthmus.bindings.generated.sockaddr_in;
import dev.isthmus.bindings.generated.sockaddr_in6;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

import static dev.isthmus.bindings.generated.isthmus_sys_h.AF_INET;
import static dev.isthmus.bindings.generated.isthmus_sys_h.AF_INET6;

/**
 * Encodes and decodes {@code sockaddr_in}/{@code sockaddr_in6}. Ports and IPv4 addresses are in network byte order in
 * the struct, so they are written byte by byte rather than through the native-order layouts.
 */
public final class SocketAddresses {
    /** Big enough for either family: {@code sizeof(struct sockaddr_in6)}. */
    public static final long MAX_LENGTH = sockaddr_in6.sizeof();

    private static final int IPV4_BYTES = 4;
    private static final int IPV6_BYTES = 16;
    private static final int BYTE_MASK = 0xff;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private SocketAddresses() {
    }

    /** Writes {@code address} into {@code destination} (at least {@link #MAX_LENGTH} bytes); returns the struct length. */
    public static int write(MemorySegment destination, InetSocketAddress address) {
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("unresolved address: " + address);
        }
        destination.asSlice(0, MAX_LENGTH).fill((byte) 0);
        InetAddress ip = address.getAddress();
        byte[] raw = ip.getAddress();
        if (ip instanceof Inet4Address) {
            sockaddr_in.sin_family(destination, (short) AF_INET());
            writePort(destination, sockaddr_in.sin_port$offset(), address.getPort());
            MemorySegment.copy(raw, 0, destination, ValueLayout.JAVA_BYTE, sockaddr_in.sin_addr$offset(), IPV4_BYTES);
            return (int) sockaddr_in.sizeof();
        }
        sockaddr_in6.sin6_family(destination, (short) AF_INET6());
        writePort(destination, sockaddr_in6.sin6_port$offset(), address.getPort());
        MemorySegment.copy(raw, 0, destination, ValueLayout.JAVA_BYTE, sockaddr_in6.sin6_addr$offset(), IPV6_BYTES);
        if (ip instanceof Inet6Address v6) {
            sockaddr_in6.sin6_scope_id(destination, v6.getScopeId());
        }
        return (int) sockaddr_in6.sizeof();
    }

    /** Reads a {@code sockaddr_in} or {@code sockaddr_in6}; for logs, tests and setup, not the hot path. */
    public static InetSocketAddress read(MemorySegment source) {
        int family = sockaddr_in.sin_family(source);
        try {
            if (family == AF_INET()) {
                byte[] raw = source.asSlice(sockaddr_in.sin_addr$offset(), IPV4_BYTES).toArray(ValueLayout.JAVA_BYTE);
                return new InetSocketAddress(InetAddress.getByAddress(raw), readPort(source, sockaddr_in.sin_port$offset()));
            }
            if (family == AF_INET6()) {
                byte[] raw = source.asSlice(sockaddr_in6.sin6_addr$offset(), IPV6_BYTES).toArray(ValueLayout.JAVA_BYTE);
                return new InetSocketAddress(InetAddress.getByAddress(raw), readPort(source, sockaddr_in6.sin6_port$offset()));
            }
        } catch (UnknownHostException impossible) {
            throw new IllegalStateException(impossible);
        }
        throw new IllegalArgumentException("unsupported address family " + family);
    }

    /** The port of a {@code sockaddr_in}/{@code sockaddr_in6} (same offset in both). */
    public static int port(MemorySegment source) {
        return readPort(source, sockaddr_in.sin_port$offset());
    }

    /**
     * Writes the textual IP of {@code source} as ASCII into {@code destination} at {@code offset} without allocating
     * (dotted quad, or the RFC 5952 text form for IPv6);
     * returns the number of bytes written. {@code destination} needs 39 bytes of room.
     */
    public static int formatIp(MemorySegment source, MemorySegment destination, long offset) {
        long at = offset;
        if (sockaddr_in.sin_family(source) == AF_INET()) {
            for (int i = 0; i < IPV4_BYTES; i++) {
                if (i > 0) {
                    destination.set(ValueLayout.JAVA_BYTE, at++, (byte) '.');
                }
                int octet = source.get(ValueLayout.JAVA_BYTE, sockaddr_in.sin_addr$offset() + i) & BYTE_MASK;
                at = writeDecimal(destination, at, octet);
            }
            return (int) (at - offset);
        }
        // RFC 5952 §4: lowercase hex without leading zeros, the longest run of two or more zero groups (the first
        // of equals) as "::". X-Forwarded-For consumers compare this text with allow-lists.
        int groups = IPV6_BYTES / 2;
        int bestStart = -1;
        int bestLength = 1;
        for (int group = 0, runStart = -1; group <= groups; group++) {
            boolean zero = group < groups && ipv6Group(source, group) == 0;
            if (zero && runStart < 0) {
                runStart = group;
            } else if (!zero && runStart >= 0) {
                if (group - runStart > bestLength) {
                    bestStart = runStart;
                    bestLength = group - runStart;
                }
                runStart = -1;
            }
        }
        for (int group = 0; group < groups; group++) {
            if (group == bestStart) {
                destination.set(ValueLayout.JAVA_BYTE, at++, (byte) ':');
                destination.set(ValueLayout.JAVA_BYTE, at++, (byte) ':');
                group += bestLength - 1;
                continue;
            }
            if (group > 0 && group != bestStart + bestLength) {
                destination.set(ValueLayout.JAVA_BYTE, at++, (byte) ':');
            }
            int value = ipv6Group(source, group);
            boolean started = false;
            for (int shift = 12; shift >= 0; shift -= 4) {
                int digit = (value >>> shift) & 0xf;
                if (digit != 0 || started || shift == 0) {
                    destination.set(ValueLayout.JAVA_BYTE, at++, (byte) HEX[digit]);
                    started = true;
                }
            }
        }
        return (int) (at - offset);
    }

    private static int ipv6Group(MemorySegment source, int group) {
        long base = sockaddr_in6.sin6_addr$offset() + group * 2L;
        return ((source.get(ValueLayout.JAVA_BYTE, base) & BYTE_MASK) << Byte.SIZE)
                | (source.get(ValueLayout.JAVA_BYTE, base + 1) & BYTE_MASK);
    }

    private static long writeDecimal(MemorySegment destination, long at, int value) {
        if (value >= 100) {
            destination.set(ValueLayout.JAVA_BYTE, at++, (byte) ('0' + value / 100));
        }
        if (value >= 10) {
            destination.set(ValueLayout.JAVA_BYTE, at++, (byte) ('0' + value / 10 % 10));
        }
        destination.set(ValueLayout.JAVA_BYTE, at++, (byte) ('0' + value % 10));
        return at;
    }

    private static void writePort(MemorySegment destination, long offset, int port) {
        destination.set(ValueLayout.JAVA_BYTE, offset, (byte) (port >>> Byte.SIZE));
        destination.set(ValueLayout.JAVA_BYTE, offset + 1, (byte) port);
    }

    private static int readPort(MemorySegment source, long offset) {
        return ((source.get(ValueLayout.JAVA_BYTE, offset) & BYTE_MASK) << Byte.SIZE)
                | (source.get(ValueLayout.JAVA_BYTE, offset + 1) & BYTE_MASK);
    }
}
