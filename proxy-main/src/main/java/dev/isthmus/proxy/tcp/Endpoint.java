package dev.isthmus.proxy.tcp;

import java.lang.foreign.MemorySegment;

/**
 * An upstream address encoded once as a native {@code sockaddr} in its reactor's arena, so connecting costs no
 * encoding, with its cluster's connect timeout and socket buffer sizes (0: the kernel's default).
 */
record Endpoint(String name, MemorySegment sockaddr, int sockaddrLength, long connectTimeoutNanos,
                int sendBufferBytes, int receiveBufferBytes) {
    @Override
    public String toString() {
        return name;
    }
}
