package dev.isthmus.proxy.http;

import dev.isthmus.bindings.Syscalls;

import java.lang.foreign.MemorySegment;

import static dev.isthmus.bindings.generated.isthmus_sys_h.MSG_NOSIGNAL;

/**
 * Bytes waiting to go one way (to the client, or to the upstream), in a chunk of their own: what a short
 * write left behind, or a response the proxy wrote itself. Nothing else may be written that way until
 * {@link #flush} reports them sent. Confined to the reactor thread.
 */
final class PendingWrite {
    private final Syscalls sys;
    private final ChunkPools chunks;
    private MemorySegment buffer;
    private long position;
    private long end;

    PendingWrite(Syscalls sys, ChunkPools chunks) {
        this.sys = sys;
        this.chunks = chunks;
    }

    boolean isEmpty() {
        return buffer == null;
    }

    /** Keeps what {@code out} did not send after its first {@code written} bytes; false when there is no memory. */
    boolean keepUnsent(GatherWriter out, long written) {
        release();
        buffer = chunks.acquireFor(out.totalBytes() - written);
        if (buffer == null) {
            return false;
        }
        position = 0;
        end = out.copyUnsent(written, buffer);
        return true;
    }

    /** A chunk to write a response into (then {@link #ready}); null when there is no memory. */
    MemorySegment reserve() {
        release();
        buffer = chunks.acquire();
        position = 0;
        end = 0;
        return buffer;
    }

    /** The first {@code length} bytes of the {@link #reserve}d chunk are ready to send. */
    void ready(long length) {
        position = 0;
        end = length;
    }

    /**
     * Sends what waits: 0 when all is sent (the chunk is released), {@code -EAGAIN} when the socket is full, or the
     * {@code -errno} of a failed write.
     */
    long flush(int fd) {
        while (position < end) {
            long n = sys.send(fd, buffer.address() + position, end - position, MSG_NOSIGNAL());
            if (n < 0) {
                return n;
            }
            position += n;
        }
        release();
        return 0;
    }

    void release() {
        if (buffer != null) {
            chunks.release(buffer);
            buffer = null;
        }
    }
}
