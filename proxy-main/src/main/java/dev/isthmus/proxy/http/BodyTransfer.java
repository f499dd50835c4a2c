package dev.isthmus.proxy.http;

import dev.isthmus.bindings.Syscalls;
import dev.isthmus.http1.ChunkedDecoder;
import dev.isthmus.http1.Framing;
import dev.isthmus.http1.Rejection;
import dev.isthmus.reactor.PipePool;
import dev.isthmus.reactor.SpliceForwarder;

import java.lang.foreign.MemorySegment;

import static dev.isthmus.bindings.generated.isthmus_sys_h.EAGAIN;
import static dev.isthmus.bindings.generated.isthmus_sys_h.MSG_NOSIGNAL;

/**
 * Moves one message body from a source fd to a sink fd: {@link #takeLeading} sizes up the bytes that came with the
 * head, which go out with it, and {@link #startRest} then moves the rest. Confined to the reactor thread; reused for
 * every message of a connection.
 *
 * <p>Large bodies of known length, close-delimited ones and tunnels go by {@code splice(2)} and never enter the JVM.
 * Smaller ones are relayed through the connection's chunk: read, then written out in full before the next read, so a
 * slow sink holds at most one chunk per direction (that chunk is the high watermark) and reading pauses until it
 * drains. A chunked body is relayed so that its framing is checked, except that the payload of a chunk larger than
 * the threshold is spliced: the decoder says how long it is, and only the framing around it passes through Java.
 * De-chunking (for an HTTP/1.0 client) is the same walk with the framing left out: chunk data is moved together at
 * the front of the chunk and only it is written; spliced chunk payloads are pure data already.
 */
final class BodyTransfer {
    private enum Mode { LENGTH, CHUNKED, UNTIL_EOF, TUNNEL }

    enum State { IDLE, ACTIVE, DONE, FAILED }

    private final Syscalls sys;
    private final SpliceForwarder splice;
    private final ChunkedDecoder decoder;
    /** Set by {@link #prepare} for each body: a reload may change the listener's threshold between two bodies. */
    private long spliceThreshold;
    private State state = State.IDLE;
    private Mode mode;
    private boolean spliced;
    private int source;
    private int sink;
    private long remaining;
    private MemorySegment buffer;
    private long position;
    private long end;
    private long readEnd;
    private boolean sourceDry;
    private boolean sinkBlocked;
    private long bytesSpliced;
    private boolean truncated;
    /** The {@code -errno} of a failed write to the sink, or 0. */
    private int sinkError;
    /** The {@code -errno} of a failed read of the source (a reset), or 0. */
    private int sourceError;
    private boolean sourceHungUp;
    /** Chunked mode: the payload of the current chunk is being spliced. */
    private boolean splicingChunk;
    /** Chunked mode: forward only chunk data, not the framing (de-chunk). */
    private boolean payloadOnly;
    /** What {@link #takeLeading} left to {@link #startRest}: null when the body came whole with its head. */
    private Mode restMode;
    private long restLength;
    /**
     * Whether the rest goes by splice: a close-delimited one always, a chunked one never as a whole, and one of known
     * length when the whole body is above the threshold, however much of it came with the head.
     */
    private boolean restSpliced;
    /** Bytes the last {@link #decode} consumed; it returns how many of them are forwarded. */
    private long consumed;

    BodyTransfer(Syscalls sys, PipePool pipes, ChunkedDecoder decoder) {
        this.sys = sys;
        this.splice = new SpliceForwarder(sys, pipes);
        this.decoder = decoder;
    }

    /**
     * Takes the body bytes that came in with their message's head, {@code [offset, offset + available)} of
     * {@code segment}, by the head's {@code framing} (never {@code NONE}); returns how many of them go out with the
     * head: all that belong to this body, or, de-chunking, their chunk data moved to the front. {@link #consumed()}
     * says how many belong to it, {@link #rejection()} whether their chunked framing is bad, and
     * {@link #cameWithHead()} whether all of the body did. Call {@link #prepare} first.
     */
    long takeLeading(Framing framing, long contentLength, MemorySegment segment, long offset, long available) {
        restLength = 0;
        switch (framing) {
            case CONTENT_LENGTH -> {
                consumed = Math.min(available, contentLength);
                restLength = contentLength - consumed;
                restMode = restLength > 0 ? Mode.LENGTH : null;
                restSpliced = contentLength > spliceThreshold;
                return consumed;
            }
            case CHUNKED -> {
                long forwarded = decode(segment, offset, available);
                restMode = decoder.isComplete() || decoder.isRejected() ? null : Mode.CHUNKED;
                restSpliced = false;
                return forwarded;
            }
            case CLOSE_DELIMITED, TUNNEL -> {
                consumed = available;
                restMode = Mode.UNTIL_EOF;
                restSpliced = true;
                return consumed;
            }
            default -> throw new IllegalArgumentException("no body to take: " + framing);
        }
    }

    /** Whether {@link #takeLeading} found the whole body: there is no rest to start. */
    boolean cameWithHead() {
        return restMode == null;
    }

    /** Moves the rest of the body {@link #takeLeading} began; {@code buffer} is the relay chunk (empty now). */
    void startRest(int source, int sink, MemorySegment buffer) {
        start(restMode, restLength, restSpliced, source, sink, buffer);
    }

    /**
     * Starts moving: {@code LENGTH} moves {@code length} more bytes; {@code CHUNKED} continues a chunked body whose
     * beginning {@link #takeLeading} ran through the decoder; {@code UNTIL_EOF} moves until the source closes.
     * {@code buffer} is the relay chunk (empty now).
     */
    private void start(Mode mode, long length, boolean spliced, int source, int sink, MemorySegment buffer) {
        this.mode = mode;
        this.source = source;
        this.sink = sink;
        this.remaining = length;
        this.buffer = buffer;
        this.position = 0;
        this.end = 0;
        this.readEnd = 0;
        this.consumed = 0;
        this.sourceDry = false;
        this.sinkBlocked = false;
        this.truncated = false;
        this.sinkError = 0;
        this.sourceError = 0;
        this.sourceHungUp = false;
        this.splicingChunk = false;
        this.state = State.ACTIVE;
        this.spliced = spliced;
        if (spliced) {
            boolean untilEof = mode == Mode.UNTIL_EOF || mode == Mode.TUNNEL;
            splice.start(source, sink, untilEof ? Long.MAX_VALUE : length, mode == Mode.TUNNEL);
        }
    }

    /** One direction of a tunnel after a 101: splice until EOF, then pass the FIN on. */
    void startTunnel(int source, int sink) {
        start(Mode.TUNNEL, 0, true, source, sink, null);
    }

    /** A tunnel direction ends without passing its source's EOF on as a FIN: the close that follows sends it. */
    void withholdFin() {
        splice.finByClose();
    }

    /**
     * A tunnel direction whose sink's side reset: from now on its source is read to EOF and every byte thrown away
     * ({@link SpliceForwarder#discard}), as the reset side's kernel would have thrown it away.
     */
    void discardTunnel() {
        start(Mode.TUNNEL, 0, false, source, sink, null);
        splice.discard(source);
        spliced = true;
    }

    /**
     * Prepares for the next body, before {@link #takeLeading}: resets the decoder. A body of known length above
     * {@code spliceThreshold}, and the payload of any chunk above it, go by splice. Should the body be chunked,
     * {@code payloadOnly} forwards only its chunk data, and more than {@code maxPayloadBytes} of it fails the
     * transfer with {@link Rejection#CONTENT_TOO_LARGE} before any byte past the limit is forwarded.
     */
    void prepare(long spliceThreshold, boolean payloadOnly, long maxPayloadBytes) {
        decoder.reset(maxPayloadBytes);
        this.spliceThreshold = spliceThreshold;
        this.payloadOnly = payloadOnly;
    }

    /**
     * Runs the decoder over {@code [offset, offset + length)} of {@code segment} until the body ends or the bytes do;
     * returns how many bytes at {@code offset} are to be forwarded: all those consumed, or, when de-chunking, their
     * chunk data, moved to the front. {@link #consumed()} says how many were consumed.
     */
    private long decode(MemorySegment segment, long offset, long length) {
        long at = 0;
        long kept = 0;
        while (at < length) {
            long run = decoder.decode(segment, offset + at, length - at);
            if (run == 0) {
                break;
            }
            if (!payloadOnly || decoder.lastRun() == ChunkedDecoder.Run.DATA) {
                if (kept != at) {
                    MemorySegment.copy(segment, offset + at, segment, offset + kept, run);
                }
                kept += run;
            }
            at += run;
        }
        consumed = at;
        return kept;
    }

    long consumed() {
        return consumed;
    }

    State state() {
        return state;
    }

    boolean isActive() {
        return state == State.ACTIVE;
    }

    /** Whether the source closed before the body's end (a truncated message). */
    boolean truncated() {
        return truncated;
    }

    /** The {@code -errno} with which the sink refused bytes (EPIPE, ECONNRESET: the peer is gone), or 0. */
    int sinkError() {
        return sinkError;
    }

    /** The {@code -errno} with which reading the source failed (ECONNRESET: the peer reset), or 0. */
    int sourceError() {
        return sourceError;
    }

    /** Why a chunked body was rejected, or null. */
    Rejection rejection() {
        return decoder.isRejected() ? decoder.rejection() : null;
    }

    /** Relay only: bytes read past the end of the body (a pipelined next message) are {@code [consumed, readEnd)}. */
    long leftoverOffset() {
        return consumed;
    }

    long leftoverLength() {
        return readEnd - consumed;
    }

    /** Bytes delivered by splice since the last call: the stats' share of {@link #pump()}'s result. */
    long takeSplicedBytes() {
        long spliced = bytesSpliced;
        bytesSpliced = 0;
        return spliced;
    }

    void sourceReady() {
        sourceDry = false;
        splice.sourceReady();
    }

    /** The source hung up: read it to EOF regardless of short reads (it may get no further events). */
    void sourceHungUp() {
        sourceHungUp = true;
        sourceDry = false;
        splice.sourceHungUp();
    }

    void sinkReady() {
        sinkBlocked = false;
        splice.sinkReady();
    }

    boolean wantsSourceReadable() {
        if (state != State.ACTIVE) {
            return false;
        }
        if (spliced || splicingChunk) {
            return splice.wantsSourceReadable();
        }
        return position == end && !bodyComplete();
    }

    boolean wantsSinkWritable() {
        if (state != State.ACTIVE) {
            return false;
        }
        if (spliced || splicingChunk) {
            return splice.wantsSinkWritable();
        }
        return position < end && sinkBlocked;
    }

    /** Moves what can be moved now; returns the bytes delivered to the sink. */
    long pump() {
        if (state != State.ACTIVE) {
            return 0;
        }
        if (spliced) {
            return pumpSplice();
        }
        long delivered = splicingChunk ? pumpChunkSplice() : 0;
        if (state != State.ACTIVE || splicingChunk) {
            return delivered;
        }
        return delivered + pumpRelay();
    }

    private long pumpChunkSplice() {
        long delivered = splice.pump();
        bytesSpliced += delivered;
        switch (splice.state()) {
            case DONE -> {
                decoder.skipPayload(splice.bytesMoved());
                splicingChunk = false;
            }
            case FAILED -> spliceFailed();
            default -> { }
        }
        return delivered;
    }

    private long pumpSplice() {
        long delivered = splice.pump();
        bytesSpliced += delivered;
        switch (splice.state()) {
            case DONE -> state = State.DONE;
            case FAILED -> spliceFailed();
            default -> { }
        }
        return delivered;
    }

    private void spliceFailed() {
        truncated = splice.endedEarly();
        sinkError = splice.failedAtSink() ? splice.error() : 0;
        sourceError = splice.failedAtSource() && !truncated ? splice.error() : 0;
        state = State.FAILED;
    }

    private boolean bodyComplete() {
        return mode == Mode.LENGTH ? remaining == 0 : decoder.isComplete();
    }

    private long pumpRelay() {
        long delivered = 0;
        while (true) {
            if (position < end) {
                long n = sys.send(sink, buffer.address() + position, end - position, MSG_NOSIGNAL());
                if (n > 0) {
                    position += n;
                    delivered += n;
                    continue;
                }
                if (n == -EAGAIN()) {
                    sinkBlocked = true;
                } else {
                    sinkError = (int) n;
                    state = State.FAILED;
                }
                return delivered;
            }
            if (bodyComplete()) {
                state = State.DONE;
                return delivered;
            }
            if (sourceDry) {
                return delivered;
            }
            position = 0;
            end = 0;
            if (mode == Mode.CHUNKED && decoder.payloadRemaining() > spliceThreshold) {
                splice.start(source, sink, decoder.payloadRemaining(), false);
                if (sourceHungUp) {
                    splice.sourceHungUp();
                }
                splicingChunk = true;
                return delivered + pumpChunkSplice();
            }
            long want = buffer.byteSize();
            if (mode == Mode.LENGTH) {
                want = Math.min(want, remaining);
            }
            long n = sys.recv(source, buffer.address(), want, 0);
            if (n > 0) {
                // Short read: drained for now (level-triggered epoll re-reports the source if more came).
                sourceDry = n < want && !sourceHungUp;
                readEnd = n;
                if (mode == Mode.LENGTH) {
                    end = n;
                    consumed = n;
                    remaining -= n;
                } else {
                    end = decode(buffer, 0, n);
                }
                if (decoder.isRejected() && mode == Mode.CHUNKED) {
                    state = State.FAILED;
                    return delivered;
                }
            } else if (n == 0) {
                truncated = true;
                state = State.FAILED;
                return delivered;
            } else if (n == -EAGAIN()) {
                sourceDry = true;
                return delivered;
            } else {
                sourceError = (int) n;
                state = State.FAILED;
                return delivered;
            }
        }
    }

    /** Stops moving and gives back the pipe. */
    void release() {
        splice.release();
        state = State.IDLE;
        buffer = null;
    }
}
