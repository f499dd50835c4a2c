package dev.isthmus.proxy.tcp;

import java.lang.foreign.MemorySegment;

/**
 * An upstream address encoded once as a native {@code sockaddr} in its reactor's arena, so connecting costs no
 * encoding.
 */
record Endpoint(String name, MemorySegment sockaddr, int sockaddrLength, long connectTimeoutNanos) {
    @Override
    public String toString() {
        return name;
    }
}
