package dev.isthmus.proxy.tcp;

import dev.isthmus.bindings.Errno;
import dev.isthmus.bindings.SyscallException;
import dev.isthmus.bindings.Syscalls;
import dev.isthmus.reactor.EpollReactor;
import dev.isthmus.reactor.EventHandler;
import dev.isthmus.reactor.IndexedSet;
import dev.isthmus.reactor.Sockets;
import dev.isthmus.reactor.SpliceForwarder;
import dev.isthmus.reactor.Timer;

import static dev.isthmus.bindings.generated.isthmus_sys_h.EPOLLERR;
import static dev.isthmus.bindings.generated.isthmus_sys_h.EPOLLHUP;
import static dev.isthmus.bindings.generated.isthmus_sys_h.EPOLLIN;
import static dev.isthmus.bindings.generated.isthmus_sys_h.EPOLLOUT;

/**
 * One proxied TCP connection: a client fd, an upstream fd, and a {@link SpliceForwarder} per direction. Confined to
 * its reactor thread.
 *
 * <p>States: {@code CONNECTING} (upstream connect in flight, the client is not read or watched yet, the connect
 * timer runs; a connect that fails or times out is tried on another endpoint, up to three, before the client is
 * closed), then {@code PROXYING} until both directions have passed their FIN on, or either fails, then {@code CLOSED}.
 * A FIN from one side becomes {@code shutdown(SHUT_WR)} towards the other once its pipe is drained (the second FIN is
 * the close itself); an error or reset on either side resets both, once what the resetting side sent before it is
 * passed on. An idle timer closes sessions on which nothing moved for the listener's idle timeout.
 */
final class TcpSession implements IndexedSet.Member {
    enum State { CONNECTING, PROXYING, CLOSED }

    private static final int NO_INTEREST = -1;
    private static final int NO_ENDPOINT = -1;

    private final TcpListenerWorker worker;
    private final TcpUpstreams upstreams;
    private final EpollReactor reactor;
    private final Syscalls sys;
    private final int clientFd;
    private final SpliceForwarder clientToUpstream;
    private final SpliceForwarder upstreamToClient;
    private final Timer connectTimer;
    private final Timer idleTimer;
    private final UpstreamEvents upstreamEvents = new UpstreamEvents();
    private int endpointIndex = NO_ENDPOINT;
    private Endpoint endpoint;
    private int failedConnects;
    private State state = State.CONNECTING;
    private int upstreamFd = -1;
    private long clientToken;
    private long upstreamToken;
    private int clientInterest = NO_INTEREST;
    private int upstreamInterest = NO_INTEREST;
    private boolean clientRegistered;
    private boolean upstreamRegistered;
    private long lastActivityNanos;
    private int memberIndex = IndexedSet.ABSENT;

    TcpSession(TcpListenerWorker worker, int clientFd) {
        this.worker = worker;
        this.upstreams = worker.upstreams();
        this.reactor = worker.reactor();
        this.sys = reactor.syscalls();
        this.clientFd = clientFd;
        this.clientToUpstream = new SpliceForwarder(sys, reactor.pipes());
        this.upstreamToClient = new SpliceForwarder(sys, reactor.pipes());
        this.connectTimer = reactor.newTimer(this::onConnectTimeout);
        this.idleTimer = reactor.newTimer(this::onIdleCheck);
    }

    /**
     * Starts the upstream connect; when no endpoint can be connected the client is closed before this returns. The
     * client joins the epoll set only once the upstream is connected, with the interest it then needs: nothing of it
     * is read before, and one {@code epoll_ctl} is saved.
     */
    void start() {
        connect();
    }

    private void connect() {
        endpointIndex = upstreams.picker().pick();
        endpoint = upstreams.endpoint(endpointIndex);
        upstreams.picker().started(endpointIndex);
        upstreamFd = Sockets.connectNonBlocking(sys, endpoint.sockaddr(), endpoint.sockaddrLength(),
                endpoint.sendBufferBytes(), endpoint.receiveBufferBytes());
        if (Errno.isOutOfResources(upstreamFd)) {
            fail("no descriptors or memory left for an upstream connection: " + Errno.describe(upstreamFd));
            return;
        }
        if (upstreamFd < 0) {
            connectFailed("connect to " + endpoint + ": " + Errno.describe(upstreamFd));
            return;
        }
        try {
            upstreamToken = reactor.register(upstreamFd, EPOLLOUT(), upstreamEvents);
            upstreamRegistered = true;
            upstreamInterest = EPOLLOUT();
        } catch (SyscallException e) {
            fail(e.getMessage());
            return;
        }
        connectTimer.schedule(endpoint.connectTimeoutNanos());
    }

    /**
     * The client has sent nothing that was read yet, so a failed connect is tried again on another endpoint (the
     * picker has ejected this one) while {@link dev.isthmus.proxy.balance.EndpointPicker#mayTryAnother} allows.
     */
    private void connectFailed(String reason) {
        connectTimer.cancel();
        upstreams.picker().connectFailed(endpointIndex);
        releaseUpstream();
        failedConnects++;
        if (!upstreams.picker().mayTryAnother(failedConnects)) {
            fail(reason);
            return;
        }
        if (worker.warnings().admit()) {
            worker.warnings().print("tcp " + worker.listenerName() + ": " + reason + "; trying another endpoint");
        }
        worker.countUpstreamFailure();
        connect();
    }

    private void releaseUpstream() {
        if (upstreamRegistered) {
            reactor.closeRegistered(upstreamToken);
            upstreamRegistered = false;
        } else if (upstreamFd >= 0) {
            sys.close(upstreamFd);
        }
        upstreamFd = -1;
        upstreamInterest = NO_INTEREST;
        if (endpointIndex != NO_ENDPOINT) {
            upstreams.picker().finished(endpointIndex);
            endpointIndex = NO_ENDPOINT;
        }
    }

    State state() {
        return state;
    }

    private void onUpstreamConnected(int events) {
        connectTimer.cancel();
        int result = Sockets.connectResult(sys, upstreamFd, events);
        if (result < 0) {
            connectFailed("connect to " + endpoint + ": " + Errno.describe(result));
            return;
        }
        upstreams.picker().connected(endpointIndex);
        clientToUpstream.start(clientFd, upstreamFd);
        upstreamToClient.start(upstreamFd, clientFd);
        state = State.PROXYING;
        touch();
        idleTimer.schedule(worker.idleTimeoutNanos());
        pumpAndRearm(0, 0);
    }

    private void onConnectTimeout() {
        if (state == State.CONNECTING) {
            connectFailed("connect to " + endpoint + ": timed out after "
                    + endpoint.connectTimeoutNanos() / 1_000_000 + " ms");
        }
    }

    private void onIdleCheck() {
        if (state != State.PROXYING) {
            return;
        }
        long idleFor = reactor.nowNanos() - lastActivityNanos;
        if (idleFor >= worker.idleTimeoutNanos()) {
            close();
        } else {
            idleTimer.schedule(worker.idleTimeoutNanos() - idleFor);
        }
    }

    private void touch() {
        lastActivityNanos = reactor.nowNanos();
    }

    private void onClientEvents(int events) {
        if (state != State.PROXYING) {
            return;
        }
        if ((events & (EPOLLIN() | EPOLLHUP() | EPOLLERR())) != 0) {
            clientToUpstream.sourceReady();
        }
        if ((events & EPOLLHUP()) != 0) {
            clientToUpstream.sourceHungUp();
        }
        if ((events & (EPOLLOUT() | EPOLLHUP() | EPOLLERR())) != 0) {
            upstreamToClient.sinkReady();
        }
        pumpAndRearm(events, 0);
    }

    private void onUpstreamEvents(int events) {
        if (state == State.CONNECTING) {
            onUpstreamConnected(events);
            return;
        }
        if (state != State.PROXYING) {
            return;
        }
        if ((events & (EPOLLIN() | EPOLLHUP() | EPOLLERR())) != 0) {
            upstreamToClient.sourceReady();
        }
        if ((events & EPOLLHUP()) != 0) {
            upstreamToClient.sourceHungUp();
        }
        if ((events & (EPOLLOUT() | EPOLLHUP() | EPOLLERR())) != 0) {
            clientToUpstream.sinkReady();
        }
        pumpAndRearm(0, events);
    }

    private void pumpAndRearm(int clientEvents, int upstreamEvents) {
        // A direction that is done has read its source to EOF, so the close that follows the other one's end sends
        // that FIN with nothing unread to turn it into a reset.
        if (upstreamToClient.state() == SpliceForwarder.State.DONE) {
            clientToUpstream.finByClose();
        }
        if (clientToUpstream.state() == SpliceForwarder.State.DONE) {
            upstreamToClient.finByClose();
        }
        long moved = clientToUpstream.pump() + upstreamToClient.pump();
        if (moved > 0) {
            touch();
        }
        if (clientToUpstream.state() == SpliceForwarder.State.FAILED
                || upstreamToClient.state() == SpliceForwarder.State.FAILED) {
            boolean upstreamFault = upstreamToClient.state() == SpliceForwarder.State.FAILED
                    ? upstreamToClient.failedAtSource() : !clientToUpstream.failedAtSource();
            SpliceForwarder failed = upstreamToClient.state() == SpliceForwarder.State.FAILED
                    ? upstreamToClient : clientToUpstream;
            SpliceForwarder fromRefusingPeer = failed == upstreamToClient ? clientToUpstream : upstreamToClient;
            if (failed.failedAtSink() && !fromRefusingPeer.isFinished()) {
                // The peer reset our writes, often right behind an answer (a server refusing an upload closes at
                // once). What it sent before the reset is still readable: a direct connection would have delivered
                // it, so it goes on before the other side is reset.
                fromRefusingPeer.sourceReady();
                fromRefusingPeer.pump();
            }
            abort(upstreamFault, Errno.describe(failed.error()));
            return;
        }
        if (clientToUpstream.isFinished() && upstreamToClient.isFinished()) {
            close();
            return;
        }
        // Under level-triggered epoll a socket in error stays ready forever, and so does a hung-up one (peer FIN and
        // our FIN both done), whatever the interest mask. Error: nothing more can be delivered, close. Hang-up: the
        // bytes still queued on it must be read out, so it leaves the epoll set and is drained from the other side's
        // writability (every read now returns data or EOF, never EAGAIN).
        if (((clientEvents | upstreamEvents) & EPOLLERR()) != 0) {
            abort((upstreamEvents & EPOLLERR()) != 0, "socket error");
            return;
        }
        if ((clientEvents & EPOLLHUP()) != 0 && clientRegistered) {
            reactor.unregister(clientToken);
            clientRegistered = false;
        }
        if ((upstreamEvents & EPOLLHUP()) != 0 && upstreamRegistered) {
            reactor.unregister(upstreamToken);
            upstreamRegistered = false;
        }
        int wantClient = (clientToUpstream.wantsSourceReadable() ? EPOLLIN() : 0)
                | (upstreamToClient.wantsSinkWritable() ? EPOLLOUT() : 0);
        int wantUpstream = (upstreamToClient.wantsSourceReadable() ? EPOLLIN() : 0)
                | (clientToUpstream.wantsSinkWritable() ? EPOLLOUT() : 0);
        if (clientInterest == NO_INTEREST) {
            try {
                clientToken = reactor.register(clientFd, wantClient, new ClientEvents());
            } catch (SyscallException e) {
                fail(e.getMessage());
                return;
            }
            clientRegistered = true;
            clientInterest = wantClient;
        } else if (clientRegistered && wantClient != clientInterest) {
            reactor.modify(clientToken, wantClient);
            clientInterest = wantClient;
        }
        if (upstreamRegistered && wantUpstream != upstreamInterest) {
            reactor.modify(upstreamToken, wantUpstream);
            upstreamInterest = wantUpstream;
        }
    }

    /**
     * One side reset or failed mid-stream: the other side is reset too (SO_LINGER 0), so that it sees an aborted
     * stream rather than a FIN that would pass for a complete one. An upstream's fault is logged and counted.
     */
    private void abort(boolean upstreamFault, String cause) {
        sys.resetOnClose(clientFd);
        if (upstreamFd >= 0) {
            sys.resetOnClose(upstreamFd);
        }
        if (upstreamFault) {
            if (worker.warnings().admit()) {
                worker.warnings().print("tcp " + worker.listenerName() + ": upstream " + endpoint
                        + " aborted the stream (" + cause + "); resetting the client");
            }
            worker.countUpstreamFailure();
        }
        close();
    }

    private void fail(String reason) {
        if (worker.warnings().admit()) {
            worker.warnings().print("tcp " + worker.listenerName() + ": closing client: " + reason);
        }
        worker.countUpstreamFailure();
        close();
    }

    @Override
    public int memberIndex() {
        return memberIndex;
    }

    @Override
    public void memberIndex(int index) {
        memberIndex = index;
    }

    /** Closes both sides and returns the pipes; safe to call twice. */
    void close() {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        connectTimer.cancel();
        idleTimer.cancel();
        worker.addBytes(clientToUpstream.bytesMoved(), upstreamToClient.bytesMoved());
        clientToUpstream.release();
        upstreamToClient.release();
        if (clientRegistered) {
            reactor.closeRegistered(clientToken);
        } else {
            sys.close(clientFd);
        }
        releaseUpstream();
        worker.sessionClosed(this);
    }

    private final class ClientEvents implements EventHandler {
        @Override
        public void onEvents(int readyEvents) {
            onClientEvents(readyEvents);
        }

        @Override
        public void onReactorShutdown() {
            close();
        }
    }

    private final class UpstreamEvents implements EventHandler {
        @Override
        public void onEvents(int readyEvents) {
            onUpstreamEvents(readyEvents);
        }

        @Override
        public void onReactorShutdown() {
            close();
        }
    }
}
