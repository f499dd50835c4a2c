package dev.isthmus.perf.load;

import dev.isthmus.bindings.Errno;
import dev.isthmus.bindings.SyscallException;
import dev.isthmus.bindings.Syscalls;
import dev.isthmus.http1.ChunkedDecoder;
import dev.isthmus.http1.HttpMethod;
import dev.isthmus.http1.ParseStatus;
import dev.isthmus.http1.ResponseHead;
import dev.isthmus.http1.ResponseParser;
import dev.isthmus.reactor.EpollReactor;
import dev.isthmus.reactor.EventHandler;
import dev.isthmus.reactor.Sockets;

import java.lang.foreign.MemorySegment;

import static dev.isthmus.bindings.generated.isthmus_sys_h.EPOLLERR;
import static dev.isthmus.bindings.generated.isthmus_sys_h.EPOLLHUP;
import static dev.isthmus.bindings.generated.isthmus_sys_h.EPOLLIN;
import static dev.isthmus.bindings.generated.isthmus_sys_h.EPOLLOUT;

/**
 * One keep-alive client connection of the load generator; confined to its {@link LoadWorker}'s reactor thread.
 * It writes requests from the shared {@link RequestTemplate}, parses responses in place in its own read buffer with
 * the project's http1 parser, and reports each completed response (and its latency) to the worker. Up to
 * {@code pipeline} requests are in flight; their start times wait in a ring, as responses arrive in order.
 */
final class LoadConnection implements EventHandler {

    /** Where the connection is in its life. */
    enum State { IDLE_CLOSED, CONNECTING, OPEN }

    /** What the bytes at the read position belong to. */
    private enum Reading { HEAD, FIXED_BODY, CHUNKED_BODY, BODY_UNTIL_CLOSE }

    private static final int HTTP_ERROR_STATUS = 400;

    private final LoadWorker worker;
    private final EpollReactor reactor;
    private final Syscalls sys;
    private final MemorySegment buffer;
    private final ResponseParser parser = new ResponseParser();
    private final ChunkedDecoder chunked = new ChunkedDecoder();
    private final HttpMethod method;
    private final boolean closeEach;
    private final long[] dueNanos;
    private final long[] sentNanos;
    private State state = State.IDLE_CLOSED;
    private Reading reading = Reading.HEAD;
    private int fd = -1;
    private long token;
    private int interest;
    private int readStart;
    private int readEnd;
    private long bodyRemaining;
    private boolean statusError;
    private boolean closeAfterResponse;
    private long responseBytes;
    private int ringHead;
    private int inFlight;
    private long writeAddress;
    private long writeRemaining;
    private boolean queued;

    LoadConnection(LoadWorker worker, MemorySegment buffer, HttpMethod method, int pipeline, boolean closeEach) {
        this.worker = worker;
        this.reactor = worker.reactor();
        this.sys = reactor.syscalls();
        this.buffer = buffer;
        this.method = method;
        this.closeEach = closeEach;
        this.dueNanos = new long[pipeline];
        this.sentNanos = new long[pipeline];
    }

    State state() {
        return state;
    }

    int inFlight() {
        return inFlight;
    }

    /** True when open, not blocked on a partial write, and below the pipelining depth. */
    boolean canSend() {
        return state == State.OPEN && writeRemaining == 0 && inFlight < dueNanos.length;
    }

    /** Whether the worker holds this connection in its list of connections to send on after the current batch. */
    boolean isQueued() {
        return queued;
    }

    void markQueued(boolean value) {
        queued = value;
    }

    /** Send time of the oldest unanswered request, for the worker's timeout sweep; only when {@code inFlight > 0}. */
    long oldestSentNanos() {
        return sentNanos[ringHead];
    }

    /** Starts a non-blocking connect; completion (or failure) arrives as EPOLLOUT. */
    void connect() {
        assert reactor.inEventLoop();
        int r = Sockets.connectNonBlocking(sys, worker.address(), worker.addressLength());
        if (r < 0) {
            worker.onFailure(this, ErrorKind.CONNECT, 1, "connect: " + Errno.describe(-r));
            return;
        }
        fd = r;
        try {
            interest = EPOLLOUT();
            token = reactor.register(fd, interest, this);
        } catch (SyscallException e) {
            sys.close(fd);
            fd = -1;
            worker.onFailure(this, ErrorKind.CONNECT, 1, e.getMessage());
            return;
        }
        state = State.CONNECTING;
    }

    /**
     * Writes {@code count} requests (at most the free pipelining slots), all due at {@code due}: the schedule's time in
     * open loop, now in closed loop.
     */
    void send(int count, long due) {
        assert canSend() && count <= dueNanos.length - inFlight;
        long now = System.nanoTime();
        for (int i = 0; i < count; i++) {
            int slot = (ringHead + inFlight + i) % dueNanos.length;
            dueNanos[slot] = due;
            sentNanos[slot] = now;
        }
        inFlight += count;
        writeAddress = worker.template().address();
        writeRemaining = (long) count * worker.template().length();
        flush();
    }

    @Override
    public void onEvents(int readyEvents) {
        switch (state) {
            case CONNECTING -> finishConnect(readyEvents);
            case OPEN -> {
                if ((readyEvents & EPOLLOUT()) != 0 && writeRemaining > 0) {
                    flush();
                }
                if (state == State.OPEN && (readyEvents & (EPOLLIN() | EPOLLERR() | EPOLLHUP())) != 0) {
                    read();
                }
            }
            case IDLE_CLOSED -> {
                // A stale event for a registration already closed in this batch: nothing to do.
            }
        }
    }

    @Override
    public void onReactorShutdown() {
        release();
    }

    /** Closes the socket without counting anything; the worker decides about reconnecting. */
    void close() {
        release();
    }

    private void finishConnect(int readyEvents) {
        int r = Sockets.connectResult(sys, fd, readyEvents);
        if (r < 0) {
            fail(ErrorKind.CONNECT, "connect: " + Errno.describe(-r));
            return;
        }
        state = State.OPEN;
        setInterest(EPOLLIN());
        worker.onConnected(this);
    }

    private void flush() {
        while (writeRemaining > 0) {
            long n = sys.write(fd, writeAddress, writeRemaining);
            if (n < 0) {
                if (Errno.isWouldBlock((int) n)) {
                    setInterest(EPOLLIN() | EPOLLOUT());
                    return;
                }
                fail(ErrorKind.WRITE, "write: " + Errno.describe((int) -n));
                return;
            }
            writeAddress += n;
            writeRemaining -= n;
        }
        if ((interest & EPOLLOUT()) != 0) {
            setInterest(EPOLLIN());
        }
    }

    private void read() {
        while (state == State.OPEN) {
            int space = (int) buffer.byteSize() - readEnd;
            long n = sys.read(fd, buffer.address() + readEnd, space);
            if (n < 0) {
                if (!Errno.isWouldBlock((int) n)) {
                    fail(ErrorKind.READ, "read: " + Errno.describe((int) -n));
                }
                return;
            }
            if (n == 0) {
                onEndOfStream();
                return;
            }
            readEnd += (int) n;
            consume();
            // A read that did not fill the space drained the socket; level-triggered epoll reports any later bytes.
            if (n < space) {
                return;
            }
        }
    }

    private void consume() {
        while (state == State.OPEN && readStart < readEnd) {
            int available = readEnd - readStart;
            switch (reading) {
                case HEAD -> {
                    if (!consumeHead(available)) {
                        return;
                    }
                }
                case FIXED_BODY -> {
                    int n = (int) Math.min(bodyRemaining, available);
                    readStart += n;
                    responseBytes += n;
                    bodyRemaining -= n;
                    if (bodyRemaining == 0) {
                        completeResponse();
                    }
                }
                case CHUNKED_BODY -> {
                    long n = chunked.decode(buffer, readStart, available);
                    readStart += (int) n;
                    responseBytes += n;
                    if (chunked.isRejected()) {
                        fail(ErrorKind.READ, "bad chunked body: " + chunked.rejection());
                        return;
                    }
                    if (chunked.isComplete()) {
                        completeResponse();
                    }
                }
                case BODY_UNTIL_CLOSE -> {
                    readStart += available;
                    responseBytes += available;
                }
            }
        }
        if (readStart == readEnd) {
            readStart = 0;
            readEnd = 0;
        } else if (readEnd == buffer.byteSize()) {
            // A head cut by the end of the buffer: move it to the front; the parser resumes at the same relative spot.
            MemorySegment.copy(buffer, readStart, buffer, 0, readEnd - readStart);
            readEnd -= readStart;
            readStart = 0;
        }
    }

    /** Parses the head at the read position; false when more bytes are needed (or the connection failed). */
    private boolean consumeHead(int available) {
        if (inFlight == 0) {
            fail(ErrorKind.READ, "response without a request");
            return false;
        }
        ParseStatus status = parser.parse(buffer, readStart, available);
        if (status == ParseStatus.NEED_MORE) {
            if (readStart == 0 && readEnd == buffer.byteSize()) {
                fail(ErrorKind.READ, "response head larger than the " + buffer.byteSize() + "-byte read buffer");
            }
            return false;
        }
        if (status == ParseStatus.REJECTED) {
            fail(ErrorKind.READ, "bad response head: " + parser.rejection());
            return false;
        }
        ResponseHead head = parser.head();
        int headLength = head.length();
        readStart += headLength;
        responseBytes += headLength;
        if (head.informational()) {
            parser.reset(method);
            return true;
        }
        statusError = head.statusCode() >= HTTP_ERROR_STATUS;
        // With closeEach the connection ends after its response even if the server would keep it.
        closeAfterResponse = closeEach || !head.keepAlive();
        switch (head.framing()) {
            case NONE -> completeResponse();
            case CONTENT_LENGTH -> {
                bodyRemaining = head.contentLength();
                reading = Reading.FIXED_BODY;
                if (bodyRemaining == 0) {
                    completeResponse();
                }
            }
            case CHUNKED -> {
                chunked.reset();
                reading = Reading.CHUNKED_BODY;
            }
            case CLOSE_DELIMITED -> {
                reading = Reading.BODY_UNTIL_CLOSE;
                closeAfterResponse = true;
            }
            case TUNNEL -> fail(ErrorKind.READ, "response turned the connection into a tunnel");
        }
        return true;
    }

    private void onEndOfStream() {
        if (reading == Reading.BODY_UNTIL_CLOSE) {
            completeResponse();
            return;
        }
        if (inFlight > 0 || readStart < readEnd) {
            fail(ErrorKind.READ, "connection closed by the server with " + inFlight + " request(s) unanswered");
            return;
        }
        // The server closed an idle keep-alive connection: not a failed request, just open another.
        release();
        worker.onIdleClose(this);
    }

    private void completeResponse() {
        long due = dueNanos[ringHead];
        ringHead = (ringHead + 1) % dueNanos.length;
        inFlight--;
        reading = Reading.HEAD;
        parser.reset(method);
        long bytes = responseBytes;
        responseBytes = 0;
        boolean close = closeAfterResponse;
        worker.onResponse(this, due, bytes, statusError);
        if (close && state == State.OPEN) {
            int lost = inFlight;
            release();
            worker.onServerClose(this, lost);
        }
    }

    private void fail(ErrorKind kind, String why) {
        int lost = Math.max(1, inFlight);
        release();
        worker.onFailure(this, kind, lost, why);
    }

    private void release() {
        if (fd >= 0) {
            reactor.closeRegistered(token);
            fd = -1;
        }
        state = State.IDLE_CLOSED;
        reading = Reading.HEAD;
        parser.reset(method);
        readStart = 0;
        readEnd = 0;
        inFlight = 0;
        ringHead = 0;
        writeRemaining = 0;
        responseBytes = 0;
        interest = 0;
    }

    private void setInterest(int wanted) {
        if (wanted != interest) {
            interest = wanted;
            reactor.modify(token, wanted);
        }
    }
}
