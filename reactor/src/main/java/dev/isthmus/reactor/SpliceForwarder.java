package dev.isthmus.reactor;

import dev.isthmus.bindings.Syscalls;

import static dev.isthmus.bindings.generated.isthmus_sys_h.EAGAIN;
import static dev.isthmus.bindings.generated.isthmus_sys_h.MSG_TRUNC;
import static dev.isthmus.bindings.generated.isthmus_sys_h.SHUT_WR;
import static dev.isthmus.bindings.generated.isthmus_sys_h.SPLICE_F_MOVE;
import static dev.isthmus.bindings.generated.isthmus_sys_h.SPLICE_F_NONBLOCK;

/**
 * Moves one direction of a stream from a source fd to a sink fd through a pipe with {@code splice(2)}: the bytes go
 * socket to pipe to socket inside the kernel and never enter the JVM. Confined to the reactor thread; the owner (a
 * session holding both fds' registrations) feeds it readiness and turns {@link #wantsSourceReadable()} and
 * {@link #wantsSinkWritable()} into epoll interest.
 *
 * <p>States: {@code FLOWING} until the source reports EOF (or, for a bounded stream such as an HTTP body of known
 * length, until the limit was read), then {@code DRAINING} until the pipe is empty, when a FIN goes to the sink
 * ({@code shutdown(SHUT_WR)}) if asked and it is {@code DONE}; a hard error, or EOF before a bounded stream's limit,
 * makes it {@code FAILED}. A source that fails (a reset) still has its bytes in the pipe delivered first: they were
 * sent before the reset, and a direct connection would have delivered them too. So a source failure is {@code
 * DRAINING} until the pipe is empty, then {@code FAILED}, with no FIN; a sink failure is {@code FAILED} at once.
 *
 * <p>The pipe is held only while bytes are in flight: an idle stream (source drained, pipe empty) gives it back to
 * the reactor's pool and takes one again when the source is readable. An idle TCP session then costs its two sockets,
 * not four more pipe descriptors, which is what lets tens of thousands of idle connections fit in the fd limit.
 *
 * <p>{@link #discard} turns a forwarder into the direction towards a peer that reset: what the source sends from then
 * on is dropped inside the kernel ({@code recv} with {@code MSG_TRUNC}, no pipe), as the reset peer's kernel would
 * have dropped it, so that a source blocked writing to the gone peer moves again and reads what still goes to it.
 *
 * <p>A splice into the pipe can return EAGAIN with the socket still readable when the pipe has run out of slots
 * before bytes (each skb fragment takes a slot). With level-triggered epoll that would spin, so EAGAIN with bytes
 * still in the pipe is taken as "pipe full": reading pauses until a splice out frees room.
 */
public final class SpliceForwarder {
    /** Where the stream is. */
    public enum State { IDLE, FLOWING, DRAINING, DONE, FAILED }

    private static final int SPLICE_FLAGS = SPLICE_F_MOVE() | SPLICE_F_NONBLOCK();
    /** The most one {@code recv} of {@link #discard} throws away. */
    private static final long DISCARD_BYTES = 1 << 20;
    /** The most {@code recv}s of {@link #discard} per pump: a peer that never pauses cannot hold the reactor. */
    private static final int DISCARD_READS_PER_PUMP = 16;

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
    private long limit;
    private long read;
    private boolean finAtEnd;
    private boolean endedEarly;
    private boolean sourceHungUp;
    private boolean failedAtSource;
    private boolean failedAtSink;
    private boolean discarding;

    public SpliceForwarder(Syscalls sys, PipePool pipes) {
        this.sys = sys;
        this.pipes = pipes;
    }

    /** Begins forwarding a whole stream, passing its FIN on. */
    public void start(int sourceFd, int sinkFd) {
        start(sourceFd, sinkFd, Long.MAX_VALUE, true);
    }

    /**
     * Begins forwarding exactly {@code limit} bytes ({@link Long#MAX_VALUE}: until EOF); {@code finAtEnd} sends a FIN to
     * the sink when done. Reusable: a finished forwarder may be started again. The pipe is taken when bytes arrive,
     * so running out of pipes shows as a FAILED {@link #pump()} with the errno in {@link #error()}.
     */
    public void start(int sourceFd, int sinkFd, long limit, boolean finAtEnd) {
        assert state == State.IDLE || isFinished();
        this.limit = limit;
        this.finAtEnd = finAtEnd;
        this.read = 0;
        this.moved = 0;
        this.endedEarly = false;
        this.sourceDry = false;
        this.pipeStalled = false;
        this.sinkBlocked = false;
        this.sourceHungUp = false;
        this.error = 0;
        this.failedAtSource = false;
        this.failedAtSink = false;
        this.sourceFd = sourceFd;
        this.sinkFd = sinkFd;
        this.discarding = false;
        state = State.FLOWING;
    }

    /**
     * From now on reads {@code sourceFd} to EOF and throws every byte away, those already in the pipe too: nothing is
     * delivered or counted as moved, and no FIN is sent. Ends {@code DONE} at EOF, {@code FAILED} on a read error.
     */
    public void discard(int sourceFd) {
        release();
        start(sourceFd, -1, Long.MAX_VALUE, false);
        discarding = true;
    }

    /**
     * The owner closes the sink as soon as this stream is done (the other direction has ended), and that close sends
     * the FIN: no {@code shutdown} before it.
     */
    public void finByClose() {
        finAtEnd = false;
    }

    /** The source reported readable (or hung up): try reading again. */
    public void sourceReady() {
        sourceDry = false;
    }

    /**
     * The source hung up (EPOLLHUP): what it still holds must be read to EOF without waiting for events, which a
     * hung-up fd may no longer get (its owner stops watching it), so short reads no longer count as "drained".
     */
    public void sourceHungUp() {
        sourceHungUp = true;
        sourceDry = false;
    }

    /** The sink reported writable: try writing again. */
    public void sinkReady() {
        sinkBlocked = false;
    }

    /** Moves as much as the kernel takes now; returns the bytes delivered to the sink in this call. */
    public long pump() {
        if (discarding) {
            dropAvailable();
            return 0;
        }
        long delivered = 0;
        boolean progressed = true;
        while (progressed && (state == State.FLOWING || state == State.DRAINING)) {
            progressed = false;
            if (state == State.FLOWING && !sourceDry && !pipeStalled && pipe == null) {
                pipe = pipes.acquire();
                if (pipe == null) {
                    return fail(pipes.lastError(), delivered);
                }
            }
            if (state == State.FLOWING && !sourceDry && !pipeStalled && inPipe < pipe.capacity()) {
                long wanted = Math.min(pipe.capacity() - inPipe, limit - read);
                long n = sys.splice(sourceFd, pipe.writeFd(), wanted, SPLICE_FLAGS);
                if (n > 0) {
                    inPipe += n;
                    read += n;
                    // A short transfer means the socket is drained for now: skip the EAGAIN probe, level-triggered
                    // epoll reports the source again if more arrived meanwhile.
                    sourceDry = n < wanted && !sourceHungUp;
                    if (read == limit) {
                        state = State.DRAINING;
                    }
                    progressed = true;
                } else if (n == 0) {
                    if (limit != Long.MAX_VALUE) {
                        endedEarly = true;
                        sourceFailed(0);
                    }
                    state = State.DRAINING;
                    progressed = true;
                } else if (n == -EAGAIN()) {
                    sourceDry = inPipe == 0;
                    pipeStalled = inPipe > 0;
                } else {
                    sourceFailed((int) n);
                    state = State.DRAINING;
                    progressed = true;
                }
            }
            if (inPipe > 0 && !sinkBlocked) {
                // No SPLICE_F_MORE: it corks the socket, and the tail of a request-response exchange would then wait
                // for the kernel's cork timeout (about 200 ms) instead of leaving at once.
                long offered = inPipe;
                long n = sys.splice(pipe.readFd(), sinkFd, offered, SPLICE_FLAGS);
                if (n > 0) {
                    sinkBlocked = n < offered;
                    inPipe -= n;
                    moved += n;
                    delivered += n;
                    pipeStalled = false;
                    progressed = true;
                } else if (n == -EAGAIN()) {
                    sinkBlocked = true;
                } else {
                    failedAtSink = true;
                    failedAtSource = false;
                    endedEarly = false;
                    return fail((int) n, delivered);
                }
            }
            if (state == State.DRAINING && inPipe == 0) {
                releasePipe();
                // A failed source (error says how) ends FAILED rather than DONE once its pipe has drained.
                if (failedAtSource) {
                    return fail(error, delivered);
                }
                if (finAtEnd) {
                    sys.shutdown(sinkFd, SHUT_WR());
                }
                state = State.DONE;
            }
        }
        if (state == State.FLOWING && sourceDry && inPipe == 0) {
            releasePipe();
        }
        return delivered;
    }

    private void dropAvailable() {
        for (int reads = 0; reads < DISCARD_READS_PER_PUMP && state == State.FLOWING && !sourceDry; reads++) {
            long n = sys.recv(sourceFd, 0, DISCARD_BYTES, MSG_TRUNC());
            if (n > 0) {
                sourceDry = n < DISCARD_BYTES && !sourceHungUp;
            } else if (n == 0) {
                state = State.DONE;
            } else if (n == -EAGAIN()) {
                sourceDry = true;
            } else {
                sourceFailed((int) n);
                fail((int) n, 0);
            }
        }
    }

    private void sourceFailed(int errno) {
        failedAtSource = true;
        error = errno;
    }

    private long fail(int errno, long delivered) {
        error = errno;
        state = State.FAILED;
        return delivered;
    }

    public boolean wantsSourceReadable() {
        return state == State.FLOWING && !pipeStalled && (pipe == null || inPipe < pipe.capacity());
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

    /** A bounded stream whose source hit EOF before the limit (a truncated body); the state is then FAILED. */
    public boolean endedEarly() {
        return endedEarly;
    }

    /**
     * Whether the source failed (a read error, or EOF before the limit) and the sink did not: true from the failed
     * read on, while the pipe still drains, so an owner can act on the reset before the stream is FAILED.
     */
    public boolean failedAtSource() {
        return failedAtSource;
    }

    /** Whether the failure was a write to the sink (its peer gone: EPIPE, ECONNRESET), not the source or a pipe. */
    public boolean failedAtSink() {
        return failedAtSink;
    }

    /** The {@code -errno} that failed the stream, or 0. */
    public int error() {
        return error;
    }

    /** Bytes delivered to the sink since the last start. */
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
