package dev.isthmus.perf.load;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * The bytes of one request, repeated {@code copies} times back to back in native memory so that a pipelined batch of
 * up to {@code copies} requests goes out with one {@code write} from the segment's start. Immutable after building.
 */
public final class RequestTemplate {

    private static final byte BODY_BYTE = 'x';

    private final MemorySegment bytes;
    private final int length;

    private RequestTemplate(MemorySegment bytes, int length) {
        this.bytes = bytes;
        this.length = length;
    }

    /**
     * Builds {@code METHOD path HTTP/1.1} with Host, Connection: close for {@link LoadOptions#closeEach}, Content-Length
     * when there is a body, and the body itself.
     */
    public static RequestTemplate build(LoadOptions options, int copies, Arena arena) {
        StringBuilder head = new StringBuilder()
                .append(options.method()).append(' ').append(options.path()).append(" HTTP/1.1\r\n")
                .append("Host: ").append(options.host()).append(':').append(options.port()).append("\r\n");
        if (options.closeEach()) {
            head.append("Connection: close\r\n");
        }
        if (options.bodySize() > 0) {
            head.append("Content-Length: ").append(options.bodySize()).append("\r\n");
        }
        head.append("\r\n");
        byte[] headBytes = head.toString().getBytes(StandardCharsets.US_ASCII);
        int length = headBytes.length + options.bodySize();
        MemorySegment bytes = arena.allocate((long) length * copies);
        for (int copy = 0; copy < copies; copy++) {
            long base = (long) copy * length;
            MemorySegment.copy(MemorySegment.ofArray(headBytes), 0, bytes, base, headBytes.length);
            bytes.asSlice(base + headBytes.length, options.bodySize()).fill(BODY_BYTE);
        }
        return new RequestTemplate(bytes, length);
    }

    /** Bytes of one request. */
    public int length() {
        return length;
    }

    /** Native address of the first request. */
    public long address() {
        return bytes.address();
    }
}
