package dev.isthmus.reactor;

import dev.isthmus.bindings.Errno;
import dev.isthmus.bindings.Syscalls;

import static dev.isthmus.bindings.generated.isthmus_sys_h.O_CLOEXEC;
import static dev.isthmus.bindings.generated.isthmus_sys_h.O_NONBLOCK;

/**
 * Reuses empty pipes so a new spliced stream costs no {@code pipe2}/{@code fcntl} calls. Confined to the reactor thread.
 * Only a drained pipe may come back: one holding bytes would leak them into the next stream, so the caller closes it.
 */
public final class PipePool {
    private static final System.Logger LOG = System.getLogger(PipePool.class.getName());
    /** One page: the least a pipe holds, assumed only if even F_GETPIPE_SZ fails. */
    private static final int MIN_PIPE_CAPACITY = 4096;

    private final Syscalls sys;
    private final int pipeSize;
    private final Pipe[] idle;
    private final int[] fds = new int[2];
    private int idleCount;
    private long created;
    private long refusedResizes;
    private int lastError;

    public PipePool(Syscalls sys, int pipeSize, int maxIdle) {
        this.sys = sys;
        this.pipeSize = pipeSize;
        this.idle = new Pipe[maxIdle];
    }

    /** An empty pipe, or null with the errno in {@link #lastError()} when none can be created (EMFILE, ...). */
    public Pipe acquire() {
        if (idleCount > 0) {
            Pipe pipe = idle[--idleCount];
            idle[idleCount] = null;
            return pipe;
        }
        int r = sys.pipe2(fds, O_NONBLOCK() | O_CLOEXEC());
        if (r < 0) {
            lastError = r;
            return null;
        }
        int granted = sys.setPipeSize(fds[1], pipeSize);
        if (granted < 0) {
            refusedResize(granted);
            granted = sys.pipeSize(fds[1]);
        }
        created++;
        return new Pipe(fds[0], fds[1], granted > 0 ? granted : MIN_PIPE_CAPACITY);
    }

    /**
     * An unprivileged process past {@code fs.pipe-user-pages-soft} (16384 pages for all its pipes, so 1,024 pipes of
     * 64 KiB) gets one- or two-page pipes and EPERM for any resize, as it does above {@code fs.pipe-max-size}:
     * spliced bodies then crawl a page per call. That is worth one warning with the way out, not silence.
     */
    private void refusedResize(int errno) {
        refusedResizes++;
        if (refusedResizes == 1) {
            LOG.log(System.Logger.Level.WARNING, "splice pipes: F_SETPIPE_SZ({0}) failed: {1}; new pipes keep the"
                    + " size the kernel gives (raise fs.pipe-user-pages-soft and fs.pipe-max-size, or grant"
                    + " CAP_SYS_RESOURCE)", pipeSize, Errno.describe(errno));
        }
    }

    /** Resizes the kernel refused since this pool was made. */
    public long refusedResizes() {
        return refusedResizes;
    }

    public int lastError() {
        return lastError;
    }

    /**
     * Returns a drained pipe for reuse, or closes it when the pool is full or the pipe is smaller than asked for
     * (kept, it would hold the process over its pipe allowance and slow every later stream that gets it).
     */
    public void release(Pipe pipe) {
        if (idleCount < idle.length && pipe.capacity() >= pipeSize) {
            idle[idleCount++] = pipe;
        } else {
            close(pipe);
        }
    }

    /** Closes a pipe that may still hold bytes. */
    public void close(Pipe pipe) {
        sys.close(pipe.readFd());
        sys.close(pipe.writeFd());
    }

    public long pipesCreated() {
        return created;
    }

    public int idleCount() {
        return idleCount;
    }

    void closeAll() {
        while (idleCount > 0) {
            close(idle[--idleCount]);
            idle[idleCount] = null;
        }
    }
}
