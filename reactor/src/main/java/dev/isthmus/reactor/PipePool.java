package dev.isthmus.reactor;

import dev.isthmus.bindings.Syscalls;

import static dev.isthmus.bindings.generated.isthmus_sys_h.O_CLOEXEC;
import static dev.isthmus.bindings.generated.isthmus_sys_h.O_NONBLOCK;

/**
 * Reuses empty pipes so a new spliced stream costs no {@code pipe2}/{@code fcntl} calls. Confined to the reactor thread.
 * Only a drained pipe may come back: one holding bytes would leak them into the next stream, so the caller closes it.
 */
public final class PipePool {
    /** What Linux gives a pipe when F_SETPIPE_SZ is refused. */
    private static final int DEFAULT_PIPE_CAPACITY = 65536;

    private final Syscalls sys;
    private final int pipeSize;
    private final Pipe[] idle;
    private final int[] fds = new int[2];
    private int idleCount;
    private long created;
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
        // A failed resize (EPERM past /proc/sys/fs/pipe-max-size) leaves the default 64 KiB: slower, still correct.
        int granted = sys.setPipeSize(fds[1], pipeSize);
        created++;
        return new Pipe(fds[0], fds[1], granted > 0 ? granted : DEFAULT_PIPE_CAPACITY);
    }

    public int lastError() {
        return lastError;
    }

    /** Returns a drained pipe for reuse, or closes it when the pool is full. */
    public void release(Pipe pipe) {
        if (idleCount < idle.length) {
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
