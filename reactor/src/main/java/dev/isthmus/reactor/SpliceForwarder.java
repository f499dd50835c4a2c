package dev.isthmus.reactor;

import dev.isthmus.bindings.Syscalls;

import static dev.isthmus.bindings.generated.isthmus_sys_h.EAGAIN;
import static dev.isthmus.bindings.generated.isthmus_sys_h.SHUT_WR;
import static dev.isthmus.bindings.generated.isthmus_sys_h.SPLICE_F_MORE;
import static dev.isthmus.bindings.generated.isthmus_sys_h.SPLICE_F_MOVE;
import static dev.isthmus.bindings.generated.isthmus_sys_h.SPLICE_F_NONBLOCK;

/**
 * Moves one direction of a stream from a source fd to a sink fd through a pipe with {@code splice(2)}: the bytes go
 * socket to pipe to socket inside the kernel and never enter the JVM. Confined to the reactor thread; the owner (a
 * session holding both fds' registrations) feeds it readiness and turns {@link #wantsSourceReadable()} and
 * {@link #wantsSinkWritable()} into epoll interest.
 *
 * <p>States: {@code FLOWING} until the source reports EOF, then {@code DRAINING} until the pipe is empty, when a FIN
 * goes to the sink ({@code shutdown(SHUT_WR)}) and it is {@code DONE}; any hard error makes it {@code FAILED}.
 *
 * <p>A splice into the pipe can return EAGAIN with the socket still readable when the pipe has run out of slots
 * before bytes (each skb fragment takes a slot). With level-triggered epoll that would spin, so EAGAIN with bytes
 * still in the pipe is taken as "pipe full": reading pauses until a splice out frees room.
 */
public final class SpliceForwarder {
    /** Where the stream is. */
    public enum State { IDLE, FLOWING, DRAINING, DONE, FAILED }

    private static final int SPLICE_FLAGS = SPLICE_F_MOVE() | SPLICE_F_NONBLOCK();

    private final Syscalls sys;
    private final PipePool pipes;
    private State state = State.IDLE;
    private Pipe pipe;
    private int sourceFd;
    private int sinkFd;
    private long inPipe;
    private long moved;
    private boolean sourceDry;
    private boolean pipeStalled;
    private boolean sinkBlocked;
    private int error;

    public SpliceForwarder(Syscalls sys, PipePool pipes) {
        this.sys = sys;
        this.pipes = pipes;
    }

    /** Begins forwarding; false (with {@link #error()} set) when no pipe could be had. */
    public boolean start(int sourceFd, int sinkFd) {
        assert state == State.IDLE;
        this.pipe = pipes.acquire();
        if (pipe == null) {
            error = pipes.lastError();
            state = State.FAILED;
            return false;
        }
        this.sourceFd = sourceFd;
        this.sinkFd = sinkFd;
        state = State.FLOWING;
        return true;
    }

    /** The source reported readable (or hung up): try reading again. */
    public void sourceReady() {
        sourceDry = false;
    }

    /** The sink reported writable: try writing again. */
    public void sinkReady() {
        sinkBlocked = false;
    }

    /** Moves as much as the kernel takes now; returns the bytes delivered to the sink in this call. */
    public long pump() {
        long delivered = 0;
        boolean progressed = true;
        while (progressed && (state == State.FLOWING || state == State.DRAINING)) {
            progressed = false;
            if (state == State.FLOWING && !sourceDry && !pipeStalled && inPipe < pipe.capacity()) {
                long n = sys.splice(sourceFd, pipe.writeFd(), pipe.capacity() - inPipe, SPLICE_FLAGS);
                if (n > 0) {
                    inPipe += n;
                    progressed = true;
                } else if (n == 0) {
                    state = State.DRAINING;
                    progressed = true;
                } else if (n == -EAGAIN()) {
                    sourceDry = inPipe == 0;
                    pipeStalled = inPipe > 0;
                } else {
                    return fail((int) n, delivered);
                }
            }
            if (inPipe > 0 && !sinkBlocked) {
                int more = state == State.FLOWING ? SPLICE_F_MORE() : 0;
                long n = sys.splice(pipe.readFd(), sinkFd, inPipe, SPLICE_FLAGS | more);
                if (n > 0) {
                    inPipe -= n;
                    moved += n;
                    delivered += n;
                    pipeStalled = false;
                    progressed = true;
                } else if (n == -EAGAIN()) {
                    sinkBlocked = true;
                } else {
                    return fail((int) n, delivered);
                }
            }
            if (state == State.DRAINING && inPipe == 0) {
                sys.shutdown(sinkFd, SHUT_WR());
                state = State.DONE;
                releasePipe();
            }
        }
        return delivered;
    }

    private long fail(int errno, long delivered) {
        error = errno;
        state = State.FAILED;
        return delivered;
    }

    public boolean wantsSourceReadable() {
        return state == State.FLOWING && !pipeStalled && inPipe < pipe.capacity();
    }

    public boolean wantsSinkWritable() {
        return (state == State.FLOWING || state == State.DRAINING) && inPipe > 0 && sinkBlocked;
    }

    public State state() {
        return state;
    }

    public boolean isFinished() {
        return state == State.DONE || state == State.FAILED;
    }

    /** The {@code -errno} that failed the stream, or 0. */
    public int error() {
        return error;
    }

    /** Bytes delivered to the sink so far. */
    public long bytesMoved() {
        return moved;
    }

    /** Gives the pipe back (or closes it if bytes are stranded in it); safe to call in any state, and twice. */
    public void release() {
        releasePipe();
        if (!isFinished()) {
            state = State.FAILED;
        }
    }

    private void releasePipe() {
        if (pipe == null) {
            return;
        }
        if (inPipe == 0) {
            pipes.release(pipe);
        } else {
            pipes.close(pipe);
        }
        pipe = null;
        inPipe = 0;
    }
}
