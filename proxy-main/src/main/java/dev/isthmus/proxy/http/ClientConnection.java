package dev.isthmus.proxy.http;

import dev.isthmus.bindings.Errno;
import dev.isthmus.bindings.SyscallException;
import dev.isthmus.bindings.Syscalls;
import dev.isthmus.http1.Framing;
import dev.isthmus.http1.HttpMethod;
import dev.isthmus.http1.HttpVersion;
import dev.isthmus.http1.MaxForwards;
import dev.isthmus.http1.ParseStatus;
import dev.isthmus.http1.Rejection;
import dev.isthmus.http1.RequestHead;
import dev.isthmus.http1.RequestParser;
import dev.isthmus.http1.ResponseHead;
import dev.isthmus.http1.ResponseParser;
import dev.isthmus.proxy.config.ListenerLimits;
import dev.isthmus.proxy.route.Route;
import dev.isthmus.reactor.EpollReactor;
import dev.isthmus.reactor.EventHandler;
import dev.isthmus.reactor.IndexedSet;
import dev.isthmus.reactor.Interest;
import dev.isthmus.reactor.Sockets;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

import static dev.isthmus.bindings.generated.isthmus_sys_h.EAGAIN;
import static dev.isthmus.bindings.generated.isthmus_sys_h.ECONNRESET;
import static dev.isthmus.bindings.generated.isthmus_sys_h.EPIPE;
import static dev.isthmus.bindings.generated.isthmus_sys_h.EPOLLERR;
import static dev.isthmus.bindings.generated.isthmus_sys_h.EPOLLHUP;
import static dev.isthmus.bindings.generated.isthmus_sys_h.EPOLLIN;
import static dev.isthmus.bindings.generated.isthmus_sys_h.EPOLLOUT;
import static dev.isthmus.bindings.generated.isthmus_sys_h.EPOLLRDHUP;
import static dev.isthmus.bindings.generated.isthmus_sys_h.SHUT_WR;

/**
 * One downstream HTTP/1.1 connection and the exchange in flight on it. Confined to its reactor thread.
 *
 * <p>Connection states:
 * <pre>
 *  READING_HEAD --head complete--> (route) --respond--> RESPONDING --flushed--> READING_HEAD | LINGERING
 *       |                              \--forward--> AWAITING_UPSTREAM --connection--> PROXYING
 *       |                                                                      |--response done--> READING_HEAD
 *       |--malformed/timeout--> RESPONDING (error, close) --> LINGERING          \--101--> TUNNEL
 *  any --failure--> CLOSED
 * </pre>
 * A response that ends the connection leads to LINGERING, or straight to CLOSED when the client asked for the close
 * ({@link #endConnection}).
 *
 * <p>While PROXYING, the request body (client to upstream) and the response (upstream to client: head, then body) move
 * independently, each by {@link BodyTransfer}; bytes the kernel did not take in one {@code writev} wait in a pending
 * chunk per direction, flushed before anything else goes that way. Requests are served one at a time: pipelined
 * ones wait in the client's chunk (or socket) until the response before them is complete.
 *
 * <p>One timer per connection ({@link PhaseTimer}), re-armed per phase: idle keep-alive; request head; while a
 * request waits for an upstream connection, uploads its body, or receives its response body, a stall check (nothing
 * happened on either socket for the listener's stream idle timeout: 503 while queued, 408 for a stalled upload, else
 * the response is cut off, counted against the upstream only when it was the one that went quiet), so one peer that
 * goes silent cannot hold a client and an upstream connection forever; from the end of the request to the response
 * head, the route timeout (504); linger.
 *
 * <p>This class decides what happens to the exchange and when; the bytes of the heads it forwards come from the
 * worker's {@link ForwardedHeads}, those of the responses it gives itself from its {@link LocalResponses}, what the
 * listener learns of each request goes through its {@link ExchangeRecord}, and after a 101 a {@link Tunnel} moves the
 * bytes both ways.
 */
final class ClientConnection implements EventHandler, PhaseTimer.Expiry, IndexedSet.Member {
    enum State { READING_HEAD, AWAITING_UPSTREAM, PROXYING, RESPONDING, TUNNEL, LINGERING, CLOSED }

    private enum ResponsePhase { AWAIT_HEAD, BODY, COMPLETE }

    private static final byte[] WEBSOCKET = "websocket".getBytes(StandardCharsets.US_ASCII);

    /** The longest a closing connection waits for its client's FIN; package-private for a test. */
    static final long LINGER_NANOS = 2_000_000_000L;
    private static final long LINGER_DISCARD_LIMIT = 1 << 20;
    private static final int STATUS_BAD_REQUEST = 400;
    private static final int STATUS_TIMEOUT = 408;
    private static final int STATUS_CONTENT_TOO_LARGE = 413;
    private static final int STATUS_NOT_IMPLEMENTED = 501;
    private static final int STATUS_BAD_GATEWAY = 502;
    private static final int STATUS_UNAVAILABLE = 503;
    private static final int STATUS_GATEWAY_TIMEOUT = 504;
    private static final int STATUS_INTERNAL_ERROR = 500;
    private static final String BODY_TOO_LARGE = "request body larger than the listener's max_request_body_bytes";
    private static final int SWITCHING_PROTOCOLS = 101;

    private final HttpListenerWorker worker;
    private final EpollReactor reactor;
    private final Syscalls sys;
    private final int fd;
    private final byte[] clientIp;
    private final PhaseTimer timer;
    private long token;
    private int memberIndex = IndexedSet.ABSENT;
    private final Interest interest;
    private State state = State.READING_HEAD;

    /** Bytes from the client: {@code [headStart, filled)} is unprocessed (a head in progress or pipelined requests). */
    private MemorySegment chunk;
    private long headStart;
    private long filled;

    private Route route;
    /** The pool of the routed cluster, held for the whole exchange: a reload may give the worker new pools. */
    private UpstreamPool routedPool;
    private HttpMethod method;
    private HttpVersion version;
    private boolean clientKeepAlive;
    /**
     * The request in hand said Connection: close (or is HTTP/1.0 without keep-alive): its client sends no more. Set
     * for each parsed head; once true the connection ends after that response, so no later head ever finds it set.
     */
    private boolean clientAskedToClose;
    /** The last read of the client's socket took less than it could: nothing more of the client was waiting. */
    private boolean clientDrained;
    /** The request in hand has no body: once its head is read, nothing of it is left on the connection. */
    private boolean requestBodiless;
    private int headLength;
    private long requestEnd;
    private boolean requestBodyDone;
    private boolean closeAfterResponse;
    private boolean clientHalfClosed;
    /** Tunnel only: the client socket hung up and left the epoll set while its last bytes are read out. */
    private boolean clientDetached;
    private boolean responseStarted;
    /** Only 1xx responses went to the client so far: a final error response may still follow them. */
    private boolean onlyInterimSent;
    private boolean retried;
    /**
     * The request went upstream whole from the client's chunk, which still holds it: it can be sent again. A body
     * that went on past the head's read was relayed through that chunk, or spliced, and is gone.
     */
    private boolean requestReplayable;
    /** A pipelined request is buffered and waits for {@link #onDeferred}; a read that parses it first clears this. */
    private boolean nextRequestDeferred;
    private int failedConnects;

    private UpstreamConnection upstream;
    private ResponsePhase phase;
    private long responseStart;
    private long responseFilled;
    private boolean upstreamKeepAlive;
    private boolean upstreamDirty;
    private int responseStatus;

    private boolean upgradeRequested;
    /** The response body may start only once the head waiting in {@link #toClient} is out. */
    private boolean responseBodyWaiting;

    private BodyTransfer requestBody;
    private BodyTransfer responseBody;
    /** Set at a 101: from then on this connection is a tunnel until it closes. */
    private Tunnel tunnel;
    private final PendingWrite toClient;
    private final PendingWrite toUpstream;
    private long lingerDiscarded;
    private final ExchangeRecord record;

    ClientConnection(HttpListenerWorker worker, int fd, byte[] clientIp) {
        this.worker = worker;
        this.reactor = worker.reactor;
        this.sys = reactor.syscalls();
        this.fd = fd;
        this.clientIp = clientIp;
        this.timer = new PhaseTimer(reactor, this);
        this.interest = new Interest(reactor);
        this.toClient = new PendingWrite(sys, worker.chunks);
        this.toUpstream = new PendingWrite(sys, worker.chunks);
        this.record = new ExchangeRecord(worker, clientIp);
    }

    /** Registers the fd; false (fd closed) when epoll refused it. */
    boolean open() {
        try {
            // EPOLLRDHUP from the start, as an exchange in flight watches for it: adding it at the first request
            // would cost every connection an epoll_ctl.
            token = reactor.register(fd, readingInterest(), this);
            interest.bind(token, readingInterest());
        } catch (SyscallException e) {
            sys.close(fd);
            if (worker.warnings.admit()) {
                worker.warnings.print("http " + worker.config.name() + ": " + e.getMessage());
            }
            return false;
        }
        timer.arm(PhaseTimer.Purpose.IDLE, worker.limits.idleTimeout().toNanos());
        return true;
    }

    // ---------------------------------------------------------------- events

    @Override
    public void onEvents(int readyEvents) {
        int events = interest.filter(readyEvents);
        if (events == 0) {
            return;
        }
        switch (state) {
            case READING_HEAD -> {
                if ((events & EPOLLERR()) != 0) {
                    close();
                } else {
                    readHead();
                }
            }
            case AWAITING_UPSTREAM -> {
                if ((events & (EPOLLERR() | EPOLLHUP())) != 0) {
                    abort("client reset while waiting for an upstream connection", 0);
                } else if ((events & EPOLLRDHUP()) != 0) {
                    halfClosedByClient();
                    updateInterest();
                }
            }
            case PROXYING -> onClientEventsWhileProxying(events);
            case RESPONDING -> {
                if ((events & (EPOLLERR() | EPOLLHUP())) != 0) {
                    close();
                } else if ((events & EPOLLOUT()) != 0 && flushToClient()) {
                    localResponseSent();
                }
            }
            case TUNNEL -> onTunnelEvents(events, true);
            case LINGERING -> discardUntilEof();
            case CLOSED -> { }
        }
    }

    private void onClientEventsWhileProxying(int events) {
        timer.activity();
        if ((events & EPOLLERR()) != 0 || ((events & EPOLLHUP()) != 0 && !requestBodyActive())) {
            abort("client connection " + ((events & EPOLLERR()) != 0 ? "reset" : "closed") + " mid-exchange", 0);
            return;
        }
        if ((events & EPOLLRDHUP()) != 0 && !clientHalfClosed) {
            halfClosedByClient();
        }
        if ((events & EPOLLOUT()) != 0) {
            if (!flushToClient()) {
                updateInterest();
                return;
            }
            if (responseBody != null) {
                responseBody.sinkReady();
            }
            if (phase == ResponsePhase.AWAIT_HEAD && upstream != null) {
                // A forwarded 1xx had to wait; heads parsed behind it may already be in the upstream chunk.
                parseResponseHeads();
                if (state != State.PROXYING) {
                    return;
                }
            }
        }
        if ((events & (EPOLLIN() | EPOLLHUP() | EPOLLRDHUP())) != 0 && requestBody != null) {
            requestBody.sourceReady();
        }
        if ((events & (EPOLLHUP() | EPOLLRDHUP())) != 0 && requestBody != null) {
            requestBody.sourceHungUp();
        }
        progress();
    }

    /**
     * The client sent its FIN. As HAProxy does by default (no {@code abortonclose}), and unlike nginx, that is a
     * half-close, not an abort: many clients shut down their sending side once their requests are out and still
     * read the responses. Every request it sent before the FIN is answered, the last with {@code Connection: close}
     * (see {@link #lastRequestBeforeFin}); a client that is really gone resets (EPOLLERR/EPOLLHUP, or a failed
     * write), which aborts the exchange and closes the upstream connection.
     */
    private void halfClosedByClient() {
        clientHalfClosed = true;
    }

    /** The client has sent its FIN and no byte after {@code requestEnd} is buffered: no request follows this one. */
    private boolean lastRequestBeforeFin(long requestEnd) {
        return clientHalfClosed && filled <= requestEnd;
    }

    /** Read at each arm, not kept: a reload may change the listener's limits while this connection lives. */
    private long streamIdleNanos() {
        return worker.limits.streamIdleTimeout().toNanos();
    }

    private boolean requestBodyActive() {
        return requestBody != null && requestBody.isActive();
    }

    /** Events of the upstream connection lent to this client. */
    void onUpstreamEvents(int events) {
        if (state == State.TUNNEL) {
            onTunnelEvents(events, false);
            return;
        }
        if (state != State.PROXYING) {
            return;
        }
        timer.activity();
        if ((events & EPOLLERR()) != 0) {
            if (retryable()) {
                retryOnFreshConnection();
                return;
            }
            if (phase == ResponsePhase.AWAIT_HEAD) {
                // A reset: what the upstream sent before it is still readable, and may be its whole answer.
                if (upstreamStoppedReading()) {
                    progress();
                }
                return;
            }
            // A reset behind the response (or part of it): what came before it is still queued in our socket and
            // goes on to the client like the rest of a hung-up upstream's; only a read that reaches the reset fails.
            if (!upstreamStoppedReading()) {
                return;
            }
        }
        if ((events & EPOLLOUT()) != 0) {
            if (!flushToUpstream()) {
                updateInterest();
                return;
            }
            if (requestBody != null) {
                requestBody.sinkReady();
            }
        }
        boolean hungUp = (events & (EPOLLHUP() | EPOLLERR())) != 0;
        if ((events & EPOLLIN()) != 0 || hungUp) {
            if (phase == ResponsePhase.AWAIT_HEAD) {
                readResponseHead();
                if (state != State.PROXYING) {
                    return;
                }
            } else if (responseBody != null) {
                responseBody.sourceReady();
            }
        }
        if (hungUp && phase != ResponsePhase.AWAIT_HEAD) {
            // Under level-triggered epoll a hang-up is reported forever: stop watching the upstream and read what it
            // still holds without waiting for events, as the client makes room (see startResponseBody).
            if (responseBody != null) {
                responseBody.sourceHungUp();
            }
            upstream.detach();
        }
        progress();
    }

    // ---------------------------------------------------------------- request head

    private void readHead() {
        if (chunk == null) {
            chunk = worker.chunks.acquire();
            if (chunk == null) {
                // Out of buffer memory: leave the bytes in the socket and look again shortly.
                setInterest(0);
                timer.arm(PhaseTimer.Purpose.IDLE, worker.limits.idleTimeout().toNanos());
                return;
            }
            headStart = 0;
            filled = 0;
        }
        if (filled == chunk.byteSize() && !makeRoomForHead()) {
            return;
        }
        long room = chunk.byteSize() - filled;
        long n = sys.recv(fd, chunk.address() + filled, room, 0);
        clientDrained = n < room;
        if (n == 0) {
            clientHalfClosed = true;
            if (filled == headStart) {
                close();
            } else {
                respondError(STATUS_BAD_REQUEST, "request head incomplete when the client closed");
            }
            return;
        }
        if (n < 0) {
            if (Errno.isFailure(n)) {
                close();
            }
            return;
        }
        boolean begun = filled > headStart;
        if (!begun) {
            timer.arm(PhaseTimer.Purpose.REQUEST_HEAD, worker.limits.requestHeadTimeout().toNanos());
        }
        filled += n;
        if (begun && filled < chunk.byteSize() && !hasLineFeed(filled - n, filled)) {
            // The parser starts over on every call and a head can only end with a line: parsing again only once a
            // line is complete keeps a head dripped a few bytes per packet from costing its length squared.
            ackPartialRequest();
            return;
        }
        parseHead();
    }

    /**
     * Part of a request came and the rest is still to come: ACK it now. The connection started with delayed ACKs
     * ({@link HttpListenerWorker#listenOn}), and a client with Nagle on holds the rest until it is ACKed.
     */
    private void ackPartialRequest() {
        Sockets.ackNow(sys, fd);
    }

    private boolean hasLineFeed(long from, long to) {
        for (long i = from; i < to; i++) {
            if (chunk.get(ValueLayout.JAVA_BYTE, i) == '\n') {
                return true;
            }
        }
        return false;
    }

    /** The chunk is full: compact it, or move the head to a large chunk; false when the head is simply too large. */
    private boolean makeRoomForHead() {
        if (headStart > 0) {
            MemorySegment.copy(chunk, headStart, chunk, 0, filled - headStart);
            filled -= headStart;
            headStart = 0;
            return true;
        }
        MemorySegment larger = worker.chunks.enlarge(chunk, filled);
        if (larger != null) {
            chunk = larger;
            return true;
        }
        rejectRequest(Rejection.HEAD_TOO_LARGE, methodOfPartialHead());
        return false;
    }

    /**
     * The method of the head begun in the chunk, or null while its request-line is incomplete. The worker's parser
     * serves all of its connections, so this head is read again rather than taken from the parser's last run.
     */
    private HttpMethod methodOfPartialHead() {
        RequestParser parser = worker.requestParser;
        parser.reset();
        parser.parse(chunk, headStart, filled - headStart);
        return parser.method();
    }

    private void parseHead() {
        nextRequestDeferred = false;
        RequestParser parser = worker.requestParser;
        parser.reset();
        ParseStatus status = parser.parse(chunk, headStart, filled - headStart);
        if (status == ParseStatus.NEED_MORE) {
            ackPartialRequest();
            setInterest(readingInterest());
            return;
        }
        if (status == ParseStatus.REJECTED) {
            rejectRequest(parser.rejection(), parser.method());
            return;
        }
        RequestHead head = parser.head();
        record.requestParsed(head);
        headLength = head.length();
        requestBodiless = head.framing() == Framing.NONE;
        method = head.method();
        version = head.version();
        // Only WebSocket is let through (as Envoy and nginx by default): an h2c upgrade would turn the connection
        // into a tunnel to the origin that no route or rule of this proxy sees into.
        upgradeRequested = head.upgradeRequested() && head.upgradeOffers(WEBSOCKET);
        clientAskedToClose = !head.keepAlive();
        clientKeepAlive = !clientAskedToClose && !worker.draining;
        closeAfterResponse = !clientKeepAlive || lastRequestBeforeFin(headStart + headLength);
        responseStarted = false;
        onlyInterimSent = false;
        retried = false;
        failedConnects = 0;
        timer.cancel();
        if (method == HttpMethod.CONNECT) {
            respondError(STATUS_NOT_IMPLEMENTED, "CONNECT is not supported by this reverse proxy");
            return;
        }
        if (MaxForwards.of(head) == 0) {
            respondAsFinalRecipient(head);
            return;
        }
        ParsedRequest request = worker.view.of(head);
        if (worker.config.rejectEncodedSlashes() && request.hasEncodedSeparator()) {
            worker.stats.rejectedRequests++;
            respondError(STATUS_BAD_REQUEST, "encoded slash or backslash in the path");
            return;
        }
        route = worker.routes.match(request);
        if (route.kind() == Route.Kind.FORWARD) {
            if (head.framing() == Framing.CONTENT_LENGTH
                    && head.contentLength() > worker.limits.maxRequestBodyBytes()) {
                // Before a connection is taken or a 100 (Continue) sent: the origin sees nothing of it.
                worker.stats.rejectedRequests++;
                respondError(STATUS_CONTENT_TOO_LARGE, BODY_TOO_LARGE);
                return;
            }
            if (!requestBodiless && !bodyCameWithHead(head)) {
                ackPartialRequest();
            }
            routedPool = worker.pool(route.clusterIndex());
            state = State.AWAITING_UPSTREAM;
            setInterest(clientHalfClosed ? 0 : EPOLLRDHUP());
            worker.stats.upstreamRequests++;
            if (!routedPool.acquire(this)) {
                respondError(STATUS_UNAVAILABLE, "no upstream capacity: cluster "
                        + routedPool.name() + " is at max_connections and max_pending");
            } else if (state == State.AWAITING_UPSTREAM) {
                // Queued or connecting; a pooled connection handed over inside acquire has armed its own timer.
                timer.armStallCheck(streamIdleNanos());
            }
            return;
        }
        respondDirect(head);
    }

    /** Whether a Content-Length body is already in the chunk, whole; a chunked one is taken to be still coming. */
    private boolean bodyCameWithHead(RequestHead head) {
        return head.framing() == Framing.CONTENT_LENGTH && filled - (headStart + headLength) >= head.contentLength();
    }

    /** Why a chunked request body was refused, for the client and the log. */
    private static String chunkedBodyRefusal(Rejection rejection) {
        return rejection == Rejection.CONTENT_TOO_LARGE ? BODY_TOO_LARGE
                : "malformed chunked request body: " + rejection.description();
    }

    /** The codec's answer to a head it refused; {@code requestMethod} is null if the request-line did not parse. */
    private void rejectRequest(Rejection rejection, HttpMethod requestMethod) {
        worker.stats.rejectedRequests++;
        worker.stats.proxyError(rejection.status());
        if (worker.clientFaults.admit()) {
            worker.clientFaults.print("http " + worker.config.name() + ": " + rejection.status() + " "
                    + rejection.description() + " from " + clientAddress());
        }
        method = requestMethod;
        MemorySegment out = startLocalResponse();
        if (out == null) {
            return;
        }
        sendLocal(worker.localResponses.rejection(out, rejection, method), rejection.status(), true,
                worker.localResponses.bodyLength());
    }

    // ---------------------------------------------------------------- local responses

    /** A direct response or redirect of the route, or its 404. */
    private void respondDirect(RequestHead head) {
        worker.stats.localResponses++;
        // A request body we do not read would be taken for the next request: such a connection closes instead.
        boolean close = closeAfterResponse || head.framing() != Framing.NONE;
        GatherWriter out = worker.localResponses.routeResponse(route, method, version, close);
        if (route.kind() == Route.Kind.NO_ROUTE) {
            worker.stats.proxyError(route.responseStatus());
        }
        sendLocal(out, route.responseStatus(), close, worker.localResponses.bodyLength());
    }

    /** A TRACE or OPTIONS with no hops left: not forwarded but answered (RFC 9110 §7.6.2). */
    private void respondAsFinalRecipient(RequestHead head) {
        worker.stats.localResponses++;
        boolean close = closeAfterResponse || head.framing() != Framing.NONE;
        sendLocal(worker.localResponses.finalRecipientAnswer(head, version, close), LocalResponses.STATUS_OK, close,
                worker.localResponses.bodyLength());
    }

    /** Sends a response the proxy made from {@code out}'s slices; what one writev leaves waits in toClient. */
    private void sendLocal(GatherWriter out, int status, boolean close, long bodyBytes) {
        closeAfterResponse = close;
        requestEnd = headStart + headLength;
        record.responded(status, bodyBytes);
        state = State.RESPONDING;
        if (writeToClient(out)) {
            localResponseSent();
        } else {
            updateInterest();
        }
    }

    /**
     * A small error response written by the proxy. It closes the connection, except for an upstream's failure
     * (502, 503, 504) after a bodiless HTTP/1.1 request: nothing of that request is left unread and the client did
     * nothing wrong, so its connection carries on, as nginx and HAProxy keep it (a dead upstream would otherwise
     * cost every request a new connection).
     */
    private void respondError(int status, String reason) {
        respondError(status, reason, null);
    }

    /**
     * {@link #respondError(int, String)} for an upstream's failure: {@code upstreamName} goes to the log,
     * not to the client, which learns why but not where its request was sent.
     */
    private void respondError(int status, String reason, String upstreamName) {
        if (status >= STATUS_INTERNAL_ERROR) {
            if (worker.warnings.admit()) {
                worker.warnings.print("http " + worker.config.name() + ": " + status + " " + reason
                        + (upstreamName == null ? "" : " [upstream " + upstreamName + "]"));
            }
        } else {
            if (worker.clientFaults.admit()) {
                worker.clientFaults.print("http " + worker.config.name() + ": " + status + " " + reason + " from "
                        + clientAddress());
            }
        }
        MemorySegment out = startLocalResponse();
        if (out == null) {
            return;
        }
        boolean keepAlive = status >= STATUS_BAD_GATEWAY && status <= STATUS_GATEWAY_TIMEOUT && requestBodiless
                && version == HttpVersion.HTTP_1_1 && !closeAfterResponse;
        long n = worker.localResponses.error(out, status, reason, method, !keepAlive);
        worker.stats.proxyError(status);
        if (keepAlive) {
            requestEnd = headStart + headLength;
        }
        sendLocal(n, status, !keepAlive, worker.localResponses.bodyLength());
    }

    private String clientAddress() {
        return new String(clientIp, StandardCharsets.US_ASCII);
    }

    /**
     * A chunk for a response the proxy writes itself; null (and the connection closed) when there is none. A head
     * that never parsed is logged from here, so that it gets its line even when there is no chunk to answer with.
     */
    private MemorySegment startLocalResponse() {
        record.unparsedHead(chunk, headStart, filled);
        toUpstream.release();
        MemorySegment out = toClient.reserve();
        if (out == null) {
            close();
        }
        return out;
    }

    private void sendLocal(long length, int status, boolean close, long bodyBytes) {
        if (state == State.CLOSED) {
            return;
        }
        if (length < 0) {
            close();
            return;
        }
        record.responded(status, bodyBytes);
        closeAfterResponse |= close;
        toClient.ready(length);
        state = State.RESPONDING;
        timer.cancel();
        if (flushToClient()) {
            localResponseSent();
        } else {
            updateInterest();
        }
    }

    private void localResponseSent() {
        record.responseSent();
        if (closeAfterResponse) {
            endConnection();
            return;
        }
        headStart = requestEnd;
        awaitNextRequest();
    }

    // ---------------------------------------------------------------- upstream exchange

    /** The pool has a connected upstream for this client (possibly before {@code acquire} returned). */
    void upstreamReady(UpstreamConnection connection) {
        if (state != State.AWAITING_UPSTREAM) {
            // This client went away while its connection was being made: the connection is clean, pool it.
            connection.pool.release(connection);
            return;
        }
        upstream = connection;
        state = State.PROXYING;
        record.upstream(connection);
        sendRequestHead();
    }

    void upstreamConnectFailed(UpstreamConnection connection, int errno) {
        if (state != State.AWAITING_UPSTREAM) {
            return;
        }
        if (Errno.isOutOfResources(errno)) {
            respondError(STATUS_UNAVAILABLE, "no descriptors or memory left for an upstream connection: "
                    + Errno.describe(errno));
            return;
        }
        worker.stats.upstreamFailures++;
        record.upstream(connection);
        String cause = "upstream connect failed: " + Errno.describe(errno);
        String endpoint = connection.pool.endpointName(connection.endpoint);
        if (!retryConnect(connection.pool, cause, endpoint)) {
            respondError(STATUS_BAD_GATEWAY, cause, endpoint);
        }
    }

    void upstreamConnectTimedOut(UpstreamConnection connection) {
        if (state != State.AWAITING_UPSTREAM) {
            return;
        }
        worker.stats.upstreamFailures++;
        record.upstream(connection);
        String cause = "upstream connect timed out";
        String endpoint = connection.pool.endpointName(connection.endpoint);
        if (!retryConnect(connection.pool, cause, endpoint)) {
            respondError(STATUS_GATEWAY_TIMEOUT, cause, endpoint);
        }
    }

    /**
     * A failed connect is tried again on another endpoint (the pool has ejected this one) while
     * {@link UpstreamPool#mayTryAnother} allows. False when it does not: the caller answers the error.
     */
    private boolean retryConnect(UpstreamPool pool, String cause, String endpoint) {
        failedConnects++;
        if (!pool.mayTryAnother(failedConnects)) {
            return false;
        }
        if (worker.warnings.admit()) {
            worker.warnings.print("http " + worker.config.name() + ": " + cause + " [upstream " + endpoint
                    + "]; trying another endpoint");
        }
        if (!pool.acquire(this)) {
            respondError(STATUS_UNAVAILABLE, "no upstream capacity: cluster " + pool.name()
                    + " is at max_connections and max_pending");
        }
        return true;
    }

    private void sendRequestHead() {
        RequestParser parser = worker.requestParser;
        parser.reset();
        if (parser.parse(chunk, headStart, headLength) != ParseStatus.COMPLETE) {
            upstreamFailed("request head no longer parses", STATUS_INTERNAL_ERROR);
            return;
        }
        RequestHead head = parser.head();
        long used = worker.forwardedHeads.request(head, route, clientIp, upgradeRequested,
                upstream.pool.endpointHost(upstream.endpoint));
        if (used < 0) {
            abort("request head too large once rewritten", Rejection.HEAD_TOO_LARGE.status());
            return;
        }
        long bodyStart = headStart + headLength;
        long initial = 0;
        requestBodyDone = true;
        if (head.framing() != Framing.NONE) {
            BodyTransfer transfer = requestTransfer();
            transfer.prepare(worker.limits.spliceThresholdBytes(), false, worker.limits.maxRequestBodyBytes());
            initial = transfer.takeLeading(head.framing(), head.contentLength(), chunk, bodyStart, filled - bodyStart);
            Rejection rejection = transfer.rejection();
            if (rejection != null) {
                worker.stats.rejectedRequests++;
                abort(chunkedBodyRefusal(rejection), rejection.status());
                return;
            }
            requestBodyDone = transfer.cameWithHead();
        }
        requestReplayable = requestBodyDone;
        requestEnd = bodyStart + initial;
        GatherWriter out = worker.writer.begin().add(worker.gather).add(chunk, bodyStart, initial);
        phase = ResponsePhase.AWAIT_HEAD;
        responseStart = 0;
        responseFilled = 0;
        upstreamDirty = false;
        if (!writeToUpstream(out)) {
            return;
        }
        if (!requestBodyDone) {
            // The body's remaining bytes are still in the socket: the chunk, empty now, relays them.
            headStart = 0;
            filled = 0;
            requestEnd = 0;
            chunk = worker.chunks.widen(chunk);
            requestBody.startRest(fd, upstream.fd(), chunk);
        }
        if (requestBodyDone) {
            armRouteTimeout();
        } else {
            timer.armStallCheck(streamIdleNanos());
        }
        progress();
    }

    /** Taken from the worker's pool at the exchange's first use, given back by {@link #releaseTransfers}. */
    private BodyTransfer requestTransfer() {
        if (requestBody == null) {
            requestBody = worker.transfers.acquire();
        }
        return requestBody;
    }

    private BodyTransfer responseTransfer() {
        if (responseBody == null) {
            responseBody = worker.transfers.acquire();
        }
        return responseBody;
    }

    private void readResponseHead() {
        if (upstream.chunk == null) {
            upstream.chunk = worker.chunks.acquireForResponse();
            if (upstream.chunk == null) {
                upstreamFailed("no buffer memory for the response", STATUS_UNAVAILABLE);
                return;
            }
        }
        MemorySegment buffer = upstream.chunk;
        if (responseFilled == ChunkPools.responseReadLimit(buffer) && !makeRoomForResponseHead()) {
            return;
        }
        buffer = upstream.chunk;
        long n = sys.recv(upstream.fd(), buffer.address() + responseFilled,
                ChunkPools.responseReadLimit(buffer) - responseFilled, 0);
        if (n == -EAGAIN()) {
            return;
        }
        if (n <= 0) {
            if (retryable()) {
                retryOnFreshConnection();
                return;
            }
            String cause = n == 0 ? "upstream closed the connection" : "upstream read failed: " + Errno.describe((int) n);
            upstreamFailed(cause + (responseFilled == 0 ? " before responding" : " mid-head"), STATUS_BAD_GATEWAY);
            return;
        }
        responseFilled += n;
        parseResponseHeads();
    }

    private boolean makeRoomForResponseHead() {
        if (responseStart > 0) {
            MemorySegment.copy(upstream.chunk, responseStart, upstream.chunk, 0, responseFilled - responseStart);
            responseFilled -= responseStart;
            responseStart = 0;
            return true;
        }
        MemorySegment larger = worker.chunks.enlarge(upstream.chunk, responseFilled);
        if (larger != null) {
            upstream.chunk = larger;
            return true;
        }
        upstreamFailed("response head too large", STATUS_BAD_GATEWAY);
        return false;
    }

    /**
     * Whether a failure of the upstream connection may be a keep-alive race rather than an answer: the connection
     * was reused, nothing of the response has arrived, the whole request is still in the client's chunk
     * ({@link #requestReplayable}), and this request was not retried already. Only an idempotent request is sent
     * again (RFC 9112 §9.3.1): the upstream may have read and acted on it before closing, and a POST must not be done
     * twice.
     */
    private boolean retryable() {
        return method.isIdempotent() && phase == ResponsePhase.AWAIT_HEAD && responseFilled == 0 && !responseStarted
                && upstream.requestsServed > 0 && requestReplayable && !retried;
    }

    /** A reused keep-alive connection the upstream had already closed: send the same request on a new one. */
    private void retryOnFreshConnection() {
        retried = true;
        UpstreamConnection stale = upstream;
        upstream = null;
        stale.close();
        state = State.AWAITING_UPSTREAM;
        if (!routedPool.acquire(this)) {
            respondError(STATUS_UNAVAILABLE, "no upstream capacity for a retry");
        }
    }

    private void parseResponseHeads() {
        ResponseParser parser = worker.responseParser;
        while (state == State.PROXYING && phase == ResponsePhase.AWAIT_HEAD && toClient.isEmpty()) {
            parser.reset(method);
            ParseStatus status = parser.parse(upstream.chunk, responseStart, responseFilled - responseStart);
            if (status == ParseStatus.NEED_MORE) {
                return;
            }
            if (status == ParseStatus.REJECTED) {
                upstreamFailed("malformed response from upstream: " + parser.rejection().description(),
                        STATUS_BAD_GATEWAY);
                return;
            }
            ResponseHead head = parser.head();
            if (head.informational() && head.statusCode() != SWITCHING_PROTOCOLS) {
                forwardInformational(head);
            } else {
                forwardFinalHead(head);
            }
        }
    }

    private void forwardInformational(ResponseHead head) {
        long end = responseStart + head.length();
        if (version != HttpVersion.HTTP_1_0) {
            // RFC 9110 §15.2: a proxy forwards 1xx responses, except to HTTP/1.0 clients, which do not expect them.
            if (worker.forwardedHeads.interim(head) < 0) {
                upstreamFailed("1xx response head too large", STATUS_BAD_GATEWAY);
                return;
            }
            responseStarted = true;
            onlyInterimSent = true;
            if (!writeToClient(worker.writer.begin().add(worker.gather))) {
                responseStart = end;
                return;
            }
        }
        responseStart = end;
    }

    private void forwardFinalHead(ResponseHead head) {
        timer.armStallCheck(streamIdleNanos());
        responseStatus = head.statusCode();
        Framing framing = head.framing();
        upstreamKeepAlive = head.keepAlive();
        String refusal = unforwardable(head);
        if (refusal != null) {
            upstreamFailed(refusal, STATUS_BAD_GATEWAY);
            return;
        }
        boolean switching = framing == Framing.TUNNEL;
        // An HTTP/1.0 client cannot receive a transfer coding (RFC 9112 §6.1): a chunked response (from an upstream
        // that ignored the request's version) is de-chunked and delimited by closing the connection.
        boolean dechunk = framing == Framing.CHUNKED && version == HttpVersion.HTTP_1_0;
        if (!requestBodyDone || framing == Framing.CLOSE_DELIMITED || dechunk || worker.draining
                || lastRequestBeforeFin(requestEnd)) {
            closeAfterResponse = true;
        }
        if (worker.forwardedHeads.response(head, version, closeAfterResponse && !switching) < 0) {
            upstreamFailed("response head too large once rewritten", STATUS_BAD_GATEWAY);
            return;
        }
        long bodyStart = responseStart + head.length();
        long initial = 0;
        long consumed = 0;
        boolean complete = true;
        if (framing != Framing.NONE) {
            BodyTransfer transfer = responseTransfer();
            transfer.prepare(worker.limits.spliceThresholdBytes(), dechunk, ListenerLimits.NO_BODY_LIMIT);
            initial = transfer.takeLeading(framing, head.contentLength(), upstream.chunk, bodyStart,
                    responseFilled - bodyStart);
            consumed = transfer.consumed();
            Rejection rejection = transfer.rejection();
            if (rejection != null) {
                upstreamFailed("malformed chunked response body: " + rejection.description(), STATUS_BAD_GATEWAY);
                return;
            }
            complete = transfer.cameWithHead();
        }
        if (bodyStart + consumed < responseFilled) {
            // Bytes after the end of the response: an upstream that does not frame its messages; never reuse it.
            upstreamDirty = true;
        } else if (complete && responseFilled == ChunkPools.responseReadLimit(upstream.chunk) && upstreamKeepAlive) {
            // The response ended exactly where the read reached its limit: what follows may still be in the socket.
            upstreamDirty = !upstreamDrained();
        }
        record.responded(responseStatus, initial);
        responseStarted = true;
        onlyInterimSent = false;
        phase = complete ? ResponsePhase.COMPLETE : ResponsePhase.BODY;
        boolean flushed = writeToClient(worker.writer.begin().add(worker.gather).add(upstream.chunk, bodyStart, initial));
        if (state != State.PROXYING) {
            return;
        }
        if (switching) {
            switchToTunnel();
            return;
        }
        if (!complete) {
            responseFilled = 0;
            responseStart = 0;
            responseBodyWaiting = !flushed;
            if (flushed) {
                startResponseBody();
            }
        }
    }

    /** Why a final response head cannot go to this client, or null when it can. */
    private String unforwardable(ResponseHead head) {
        if (head.framing() == Framing.TUNNEL && !upgradeRequested) {
            return "upstream switched protocols without being asked to";
        }
        if (head.framing() == Framing.TUNNEL && !head.upgradeOffers(WEBSOCKET)) {
            // RFC 9110 §7.8, §15.2.2: a 101 names the protocol it switches to, one the client asked for.
            return "upstream switched to a protocol the client did not ask for";
        }
        // Chunked is de-chunked for an HTTP/1.0 client (forwardFinalHead); any other transfer coding would reach it
        // undeclared (RFC 9112 §6.1), and this proxy decodes none.
        if (version == HttpVersion.HTTP_1_0 && head.hasOtherTransferCoding()
                && (head.framing() == Framing.CHUNKED || head.framing() == Framing.CLOSE_DELIMITED)) {
            return "upstream used a transfer coding an HTTP/1.0 client cannot receive";
        }
        return null;
    }

    /** The 101 went to the client, or waits in {@link #toClient}: from now on the {@link Tunnel} moves the bytes. */
    private void switchToTunnel() {
        state = State.TUNNEL;
        closeAfterResponse = true;
        tunnel = new Tunnel(requestTransfer(), responseTransfer(), upstream, fd, toClient, toUpstream, worker.writer,
                worker.stats);
        long clientBytesFrom = requestEnd;
        requestEnd = filled;
        afterTunnelMoved(tunnel.start(chunk, clientBytesFrom, filled), tunnel.clientReset());
    }

    private void startResponseBody() {
        responseBodyWaiting = false;
        responseBody.startRest(upstream.fd(), fd, upstream.chunk);
        if (upstream.isDetached()) {
            responseBody.sourceHungUp();
        }
    }

    /** The stall check watches the switch, until the tunnel is open: then, as a direct connection, it has no timeout. */
    private void onTunnelEvents(int events, boolean fromClient) {
        timer.activity();
        boolean open = tunnel.onEvents(events, fromClient);
        afterTunnelMoved(open, (fromClient && (events & EPOLLHUP()) != 0) || tunnel.clientReset());
    }

    /**
     * A client that hung up (or reset) leaves the epoll set, as the tunnel's upstream does, and is drained through
     * the tunnel.
     */
    private void afterTunnelMoved(boolean open, boolean clientHungUp) {
        if (!open) {
            if (tunnel.outOfMemory()) {
                abort("no buffer memory for a pending write", 0);
            } else {
                close();
            }
            return;
        }
        if (clientHungUp) {
            detachClient();
        }
        setInterest(tunnel.clientInterest());
    }

    private void detachClient() {
        if (!clientDetached) {
            clientDetached = true;
            reactor.unregister(token);
        }
    }

    /** Drives both body transfers and decides what the exchange waits for next. */
    private void progress() {
        if (state != State.PROXYING) {
            return;
        }
        if (requestBody != null && requestBody.isActive() && toUpstream.isEmpty()) {
            long moved = requestBody.pump();
            if (requestBody.state() == BodyTransfer.State.FAILED) {
                if (!requestBodyFailed()) {
                    return;
                }
            } else {
                countBody(requestBody, moved);
            }
            if (requestBody.state() == BodyTransfer.State.DONE) {
                requestBodyDone = true;
                if (phase == ResponsePhase.AWAIT_HEAD) {
                    armRouteTimeout();
                }
                headStart = requestBody.leftoverOffset();
                filled = headStart + requestBody.leftoverLength();
                requestEnd = headStart;
            }
        }
        if (phase == ResponsePhase.BODY && toClient.isEmpty()) {
            if (responseBodyWaiting) {
                startResponseBody();
            }
            long moved = responseBody.pump();
            if (responseBody.state() == BodyTransfer.State.FAILED) {
                responseBodyFailed();
                return;
            }
            countBody(responseBody, moved);
            if (responseBody.state() == BodyTransfer.State.DONE) {
                phase = ResponsePhase.COMPLETE;
                // Bytes after the body, read with its end or already waiting in the socket, come from an upstream
                // that does not frame its messages: reused, the connection would answer the next request with them
                // (response queue poisoning). A body that fit in the head's read was checked there.
                upstreamDirty = upstreamDirty || responseBody.leftoverLength() > 0
                        || (upstreamKeepAlive && !upstreamDrained());
            }
        }
        // A complete response ends the exchange even if the request body is still coming (an early 401/413, or a
        // final answer to Expect: 100-continue whose client rightly never sends the body): the head announced
        // Connection: close, and the linger that follows reads and discards whatever body still arrives.
        if (phase == ResponsePhase.COMPLETE && toClient.isEmpty()) {
            finishExchange();
            return;
        }
        updateInterest();
    }

    /**
     * The request body stopped moving: the exchange ends, unless the upstream refused the body, whose answer may
     * already be waiting ({@link #upstreamStoppedReading}). Returns whether the exchange goes on.
     */
    private boolean requestBodyFailed() {
        if (requestBody.truncated()) {
            abort("client closed mid-request body", 0);
            return false;
        }
        if (requestBody.sourceError() != 0) {
            // Read here before epoll reported it (the pump runs on the upstream's events too): the client's doing.
            abort("client reset mid-request body: " + Errno.describe(requestBody.sourceError()), 0);
            return false;
        }
        Rejection rejection = requestBody.rejection();
        if (rejection != null) {
            abort(chunkedBodyRefusal(rejection), rejection.status());
            return false;
        }
        if (!refusedByPeer(requestBody.sinkError())) {
            upstreamFailed("could not send the request body upstream", STATUS_BAD_GATEWAY);
            return false;
        }
        return upstreamStoppedReading();
    }

    /**
     * The response body stopped moving, part of it already out: the client connection is cut, and the upstream is
     * blamed (and counted) only for what it did: closing early, resetting, or breaking the chunked framing.
     */
    private void responseBodyFailed() {
        if (responseBody.truncated()) {
            upstreamFailed("upstream closed mid-response body", 0);
        } else if (responseBody.sourceError() != 0) {
            upstreamFailed("upstream connection error mid-response body: "
                    + Errno.describe(responseBody.sourceError()), 0);
        } else if (responseBody.rejection() != null) {
            upstreamFailed("malformed chunked response body: " + responseBody.rejection().description(), 0);
        } else if (responseBody.sinkError() != 0) {
            abort("client write failed mid-response body: " + Errno.describe(responseBody.sinkError()), 0);
        } else {
            abort("response body failed: no pipe to splice it through (out of descriptors)", 0);
        }
    }

    /** Whether the upstream socket has nothing more to read now: one non-blocking read, after a streamed body. */
    private boolean upstreamDrained() {
        return sys.recv(upstream.fd(), worker.scratch.address(), 1, 0) == -EAGAIN();
    }

    private void countBody(BodyTransfer transfer, long moved) {
        long spliced = transfer.takeSplicedBytes();
        worker.stats.bytesSpliced += spliced;
        worker.stats.bytesRelayed += moved - spliced;
        if (transfer == responseBody) {
            record.responseBodyMoved(moved);
        }
    }

    private void finishExchange() {
        record.responseSent();
        timer.cancel();
        boolean reusable = upstreamKeepAlive && requestBodyDone && !upstreamDirty
                && upstream.state() == UpstreamConnection.State.ACTIVE && !upstream.isDetached();
        UpstreamConnection done = upstream;
        upstream = null;
        releaseTransfers();
        if (reusable) {
            if (done.chunk != null) {
                releaseBuffer(done.chunk);
                done.chunk = null;
            }
            done.pool.release(done);
        } else {
            done.close();
        }
        if (closeAfterResponse || !requestBodyDone) {
            endConnection();
            return;
        }
        headStart = requestEnd;
        awaitNextRequest();
    }

    // ---------------------------------------------------------------- keep-alive

    private void awaitNextRequest() {
        state = State.READING_HEAD;
        method = null;
        route = null;
        routedPool = null;
        if (headStart >= filled) {
            releaseChunk();
            timer.arm(PhaseTimer.Purpose.IDLE, worker.limits.idleTimeout().toNanos());
            setInterest(readingInterest());
            return;
        }
        timer.arm(PhaseTimer.Purpose.REQUEST_HEAD, worker.limits.requestHeadTimeout().toNanos());
        // The next pipelined request waits for the end of this cycle's events (onDeferred): answered from here, a
        // chain of local responses recursed once per request, and a client that pipelined a few thousand of them
        // overflowed the reactor's stack; and a request forwarded from here woke the origin, which then preempted
        // this thread, once per request.
        nextRequestDeferred = true;
        reactor.defer(this);
    }

    @Override
    public void onDeferred() {
        if (nextRequestDeferred && state == State.READING_HEAD) {
            parseHead();
        }
    }

    /** Drain requested: an idle connection closes now; a busy one answers with Connection: close, then closes. */
    void drain() {
        if (state == State.READING_HEAD && (chunk == null || filled == headStart)) {
            close();
        } else {
            closeAfterResponse = true;
        }
    }

    // ---------------------------------------------------------------- writes

    /** One write to the client; what it does not take waits in {@link #toClient}. True when all went out. */
    private boolean writeToClient(GatherWriter out) {
        long written = out.write(fd);
        if (written == out.totalBytes()) {
            return true;
        }
        if (Errno.isFailure(written)) {
            abort("client write failed: " + Errno.describe((int) written), 0);
        } else if (!toClient.keepUnsent(out, Math.max(written, 0))) {
            abort("no buffer memory for a pending write", 0);
        } else {
            updateInterest();
        }
        return false;
    }

    /** One writev to the upstream; false when the exchange failed (a short write is not a failure). */
    private boolean writeToUpstream(GatherWriter out) {
        long written = out.write(upstream.fd());
        if (written == out.totalBytes()) {
            return true;
        }
        if (Errno.isFailure(written)) {
            if (retryable()) {
                retryOnFreshConnection();
            } else if (upstreamWriteFailed((int) written)) {
                progress();
            }
            return false;
        }
        if (!toUpstream.keepUnsent(out, Math.max(written, 0))) {
            upstreamFailed("no buffer memory for a pending write", STATUS_UNAVAILABLE);
            return false;
        }
        updateInterest();
        return true;
    }

    /** Sends what waits for the client; true when nothing is left. */
    private boolean flushToClient() {
        long r = toClient.flush(fd);
        if (Errno.isFailure(r)) {
            abort("client write failed: " + Errno.describe((int) r), 0);
        }
        return r == 0;
    }

    /** Sends what waits for the upstream; true when nothing is left (an upstream that stopped reading: dropped). */
    private boolean flushToUpstream() {
        long r = toUpstream.flush(upstream.fd());
        if (Errno.isFailure(r)) {
            return upstreamWriteFailed((int) r);
        }
        return r == 0;
    }

    /**
     * A write upstream failed with {@code -errno}: one refused by the peer may have an answer behind it
     * ({@link #upstreamStoppedReading}). Returns whether the exchange goes on.
     */
    private boolean upstreamWriteFailed(int errno) {
        if (state == State.PROXYING && refusedByPeer(errno)) {
            return upstreamStoppedReading();
        }
        upstreamFailed("upstream write failed: " + Errno.describe(errno), STATUS_BAD_GATEWAY);
        return false;
    }

    /**
     * The upstream refused more of the request (a reset, or EPIPE or ECONNRESET on a write). A server may answer
     * before it has read the whole request and close (RFC 9110 §10.1.1), and its kernel then resets the connection
     * behind the answer (RFC 9112 §9.6), which is still in our socket: it is read and forwarded, and only an
     * upstream that said nothing fails the exchange (502). The connection is never reused; the client's ends after
     * the response when the rest of its request body was never read. Returns whether the exchange goes on.
     */
    private boolean upstreamStoppedReading() {
        upstreamDirty = true;
        toUpstream.release();
        if (requestBody != null) {
            requestBody.release();
        }
        if (phase == ResponsePhase.AWAIT_HEAD) {
            readResponseHead();
        }
        return state == State.PROXYING;
    }

    private static boolean refusedByPeer(int errno) {
        return errno == -EPIPE() || errno == -ECONNRESET();
    }

    private void updateInterest() {
        if (state == State.CLOSED) {
            return;
        }
        boolean wantOut = !toClient.isEmpty();
        boolean wantIn = false;
        if (state == State.PROXYING) {
            wantOut |= responseBody != null && phase == ResponsePhase.BODY && responseBody.wantsSinkWritable();
            wantIn = requestBody != null && requestBody.isActive() && toUpstream.isEmpty()
                    && requestBody.wantsSourceReadable();
            int upstreamWants = (!toUpstream.isEmpty() ? EPOLLOUT() : 0)
                    | (requestBody != null && requestBody.isActive() && requestBody.wantsSinkWritable() ? EPOLLOUT() : 0)
                    | (phase == ResponsePhase.AWAIT_HEAD
                    || (phase == ResponsePhase.BODY && toClient.isEmpty() && responseBody != null
                    && (responseBodyWaiting || responseBody.wantsSourceReadable())) ? EPOLLIN() : 0);
            upstream.setInterest(upstreamWants);
        }
        int rdhup = (state == State.PROXYING || state == State.AWAITING_UPSTREAM) && !clientHalfClosed ? EPOLLRDHUP() : 0;
        setInterest((wantIn ? EPOLLIN() : 0) | (wantOut ? EPOLLOUT() : 0) | rdhup);
    }

    /**
     * While reading heads or lingering: a read finds the client's FIN itself, but wanting EPOLLRDHUP too keeps it
     * registered, where dropping it (epoll reports it unwanted when the client closes) would cost an epoll_ctl.
     */
    private static int readingInterest() {
        return EPOLLIN() | EPOLLRDHUP();
    }

    private void setInterest(int wanted) {
        if (state != State.CLOSED && !clientDetached) {
            interest.want(wanted);
        }
    }

    // ---------------------------------------------------------------- failures, timers, close

    /** The upstream failed: a small error response if the client has not seen any of the response, else a close. */
    private void upstreamFailed(String reason, int status) {
        worker.stats.upstreamFailures++;
        abort(reason, status);
    }

    private void abort(String reason, int status) {
        String upstreamName = upstream == null ? null : upstream.pool.endpointName(upstream.endpoint);
        if (upstream != null) {
            UpstreamConnection failed = upstream;
            upstream = null;
            failed.close();
        }
        if (state == State.AWAITING_UPSTREAM && routedPool != null) {
            routedPool.cancel(this);
        }
        releaseTransfers();
        // RFC 9110 §15.2: a final response may follow 1xx ones, once they are all out.
        boolean mayAnswer = !responseStarted || (onlyInterimSent && toClient.isEmpty());
        if (status > 0 && mayAnswer && state != State.CLOSED) {
            releasePending();
            respondError(status, reason, upstreamName);
            return;
        }
        if (worker.warnings.admit()) {
            worker.warnings.print("http " + worker.config.name() + ": closing client: " + reason
                    + (upstreamName == null ? "" : " [upstream " + upstreamName + "]"));
        }
        if (responseStarted && state != State.CLOSED) {
            // The client holds part of a response: a FIN could pass for its end (a close-delimited body has no
            // other), a reset cannot.
            sys.resetOnClose(fd);
        }
        close();
    }

    /** The exchange is over (or the connection is): its transfers go back to the worker's pool. */
    private void releaseTransfers() {
        if (requestBody != null) {
            worker.transfers.release(requestBody);
            requestBody = null;
        }
        if (responseBody != null) {
            worker.transfers.release(responseBody);
            responseBody = null;
        }
        responseBodyWaiting = false;
    }

    @Override
    public void expired(PhaseTimer.Purpose purpose) {
        switch (purpose) {
            case IDLE -> {
                if (state == State.READING_HEAD) {
                    close();
                }
            }
            case REQUEST_HEAD -> {
                if (state == State.READING_HEAD) {
                    respondError(STATUS_TIMEOUT, "request head not received within "
                            + worker.limits.requestHeadTimeout().toMillis() + " ms");
                }
            }
            case UPSTREAM -> {
                if (state == State.PROXYING && phase == ResponsePhase.AWAIT_HEAD) {
                    upstreamFailed("upstream did not answer within the route timeout of "
                            + route.timeoutNanos() / 1_000_000 + " ms", STATUS_GATEWAY_TIMEOUT);
                }
            }
            case STALL -> onStallCheck();
            case LINGER -> close();
            case NONE -> { }
        }
    }

    /**
     * The route timeout counts from the end of the request, as Envoy's does: an upload may take as long as it keeps
     * moving (the stall check watches it), and only then does the upstream get the route's time to start answering.
     */
    private void armRouteTimeout() {
        if (route.timeoutNanos() > 0) {
            timer.arm(PhaseTimer.Purpose.UPSTREAM, route.timeoutNanos());
        } else {
            timer.armStallCheck(streamIdleNanos());
        }
    }

    /** Ends an exchange on which nothing moved for the stream idle timeout, saying which side went quiet. */
    private void onStallCheck() {
        boolean switching = state == State.TUNNEL && tunnel.switching();
        if ((state != State.AWAITING_UPSTREAM && state != State.PROXYING && !switching)
                || timer.rearmIfActive(streamIdleNanos())) {
            return;
        }
        String quiet = " for " + worker.limits.streamIdleTimeout().toNanos() / 1_000_000 + " ms";
        if (switching) {
            abort("the switch to a tunnel could not be flushed" + quiet, 0);
        } else if (state == State.AWAITING_UPSTREAM) {
            abort("no upstream connection of cluster " + routedPool.name()
                    + " became free" + quiet, STATUS_UNAVAILABLE);
        } else if (requestBody != null && requestBody.isActive() && requestBody.wantsSourceReadable()) {
            abort("client sent no request body bytes" + quiet, STATUS_TIMEOUT);
        } else if (phase == ResponsePhase.AWAIT_HEAD) {
            upstreamFailed("upstream sent no response" + quiet, STATUS_GATEWAY_TIMEOUT);
        } else if (!toClient.isEmpty() || (responseBody != null && responseBody.wantsSinkWritable())) {
            abort("client read none of the response" + quiet, 0);
        } else {
            upstreamFailed("response stalled: nothing moved" + quiet, 0);
        }
    }

    /**
     * Ends the connection once its last response is out. A client that asked for the close, sent no body and had
     * nothing more waiting when its head was read has nothing left to send (RFC 9112 §9.6), so its socket closes at
     * once, as nginx closes it: no FIN to wait for, three system calls fewer per connection. Any other client may
     * still be sending, and is lingered on.
     */
    private void endConnection() {
        if (clientAskedToClose && requestBodiless && clientDrained && filled == requestEnd) {
            close();
        } else {
            startLinger();
        }
    }

    /**
     * After a response that ends the connection: send our FIN, then read and discard until the client's FIN (or
     * a bound), so that unread request bytes do not make the kernel answer with a reset that could destroy the
     * response before the client reads it.
     */
    private void startLinger() {
        releaseTransfers();
        state = State.LINGERING;
        releaseChunk();
        sys.shutdown(fd, SHUT_WR());
        lingerDiscarded = 0;
        timer.arm(PhaseTimer.Purpose.LINGER, LINGER_NANOS);
        setInterest(readingInterest());
    }

    private void discardUntilEof() {
        MemorySegment sink = worker.scratch;
        while (true) {
            long n = sys.recv(fd, sink.address(), sink.byteSize(), 0);
            if (n == -EAGAIN()) {
                return;
            }
            if (n <= 0) {
                close();
                return;
            }
            lingerDiscarded += n;
            if (lingerDiscarded > LINGER_DISCARD_LIMIT) {
                close();
                return;
            }
        }
    }

    /** Closes the client connection and whatever upstream it holds; safe to call twice. */
    void close() {
        if (state == State.CLOSED) {
            return;
        }
        if (state == State.AWAITING_UPSTREAM && routedPool != null) {
            routedPool.cancel(this);
        }
        state = State.CLOSED;
        record.requestEnded();
        timer.cancel();
        if (upstream != null) {
            UpstreamConnection held = upstream;
            upstream = null;
            held.close();
        }
        releaseTransfers();
        releasePending();
        releaseChunk();
        if (clientDetached) {
            sys.close(fd);
        } else {
            reactor.closeRegistered(token);
        }
        worker.connectionClosed(this);
    }

    private void releasePending() {
        toClient.release();
        toUpstream.release();
    }

    private void releaseChunk() {
        if (chunk != null) {
            releaseBuffer(chunk);
            chunk = null;
            headStart = 0;
            filled = 0;
        }
    }

    private void releaseBuffer(MemorySegment buffer) {
        worker.chunks.release(buffer);
    }

    @Override
    public int memberIndex() {
        return memberIndex;
    }

    @Override
    public void memberIndex(int index) {
        memberIndex = index;
    }

    @Override
    public void onReactorShutdown() {
        close();
    }
}
