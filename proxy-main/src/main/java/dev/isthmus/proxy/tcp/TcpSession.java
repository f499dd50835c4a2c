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
import static dev.isthmus.bindings.generated.isthmus_sys_h.IPPROTO_TCP;
import static dev.isthmus.bindings.generated.isthmus_sys_h.TCP_NOTSENT_LOWAT;

/**
 * One proxied TCP connection: a client fd, an upstream fd, and a {@link SpliceForwarder} per direction. Confined to
 * its reactor thread.
 *
 * <p>States: {@code CONNECTING} (upstream connect in flight, the client is not read or watched yet, the connect
 * timer runs; a connect that fails or times out is tried on another endpoint, up to three, before the client is
 * closed), then {@code PROXYING} until both directions have passed their FIN on, then {@code CLOSED}. A FIN from one
 * side becomes {@code shutdown(SHUT_WR)} towards the other once its pipe is drained (the second FIN is the close
 * itself). A reset on one side (an error on its socket, a refused write to it, a failed read of it) is passed on as a
 * reset, but only after what that side sent before it, which a direct connection would have delivered too:
 * {@code DRAINING_RESET} reads it out and forwards it, then {@code FLUSHING_RESET} waits until the other side's socket
 * has sent it all, then both are reset. Through both, what the other side sends towards the reset side is thrown away
 * ({@link SpliceForwarder#discard}), as the reset side's kernel would: a peer blocked writing to it then moves again
 * and reads what is still on its way. An idle timer ends sessions on which nothing moved for the listener's idle
 * timeout (with a reset once one side has reset).
 */
final class TcpSession implements IndexedSet.Member {
    enum State { CONNECTING, PROXYING, DRAINING_RESET, FLUSHING_RESET, CLOSED }

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
    /** Once a side reset: whether it was the upstream. */
    private boolean resetByUpstream;
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
        if (state == State.CONNECTING || state == State.CLOSED) {
            return;
        }
        long idleFor = reactor.nowNanos() - lastActivityNanos;
        if (idleFor < worker.idleTimeoutNanos()) {
            idleTimer.schedule(worker.idleTimeoutNanos() - idleFor);
        } else if (state == State.PROXYING) {
            close();
        } else {
            resetBoth();
        }
    }

    private void touch() {
        lastActivityNanos = reactor.nowNanos();
    }

    private void onClientEvents(int events) {
        if (state == State.FLUSHING_RESET) {
            whileFlushingReset(events);
            return;
        }
        if (state != State.PROXYING && state != State.DRAINING_RESET) {
            return;
        }
        socketReady(events, clientToUpstream, upstreamToClient);
        pumpAndRearm(events, 0);
    }

    private void onUpstreamEvents(int events) {
        if (state == State.CONNECTING) {
            onUpstreamConnected(events);
            return;
        }
        if (state == State.FLUSHING_RESET) {
            whileFlushingReset(events);
            return;
        }
        if (state != State.PROXYING && state != State.DRAINING_RESET) {
            return;
        }
        socketReady(events, upstreamToClient, clientToUpstream);
        pumpAndRearm(0, events);
    }

    /**
     * One socket's events, told to the direction that reads it and the one that writes it. A hang-up or an error
     * wakes both: the read or write that follows finds the EOF or the errno, which a wait for readiness never would.
     */
    private static void socketReady(int events, SpliceForwarder readingIt, SpliceForwarder writingIt) {
        if ((events & (EPOLLIN() | EPOLLHUP() | EPOLLERR())) != 0) {
            readingIt.sourceReady();
        }
        if ((events & EPOLLHUP()) != 0) {
            readingIt.sourceHungUp();
        }
        if ((events & (EPOLLOUT() | EPOLLHUP() | EPOLLERR())) != 0) {
            writingIt.sinkReady();
        }
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
        long moved = clientToUpstream.pump();
        if (clientToUpstream.failedAtSink()) {
            // The write took the upstream's reset from its socket, where a read now finds a plain end of stream:
            // passed on as a FIN, it would make the cut stream look complete to the client.
            upstreamToClient.finByClose();
        }
        moved += upstreamToClient.pump();
        if (moved > 0) {
            touch();
        }
        if (state == State.PROXYING) {
            // A reset shows as an error on its socket, as a refused write to it, or as a failed read of it.
            if ((upstreamEvents & EPOLLERR()) != 0 || clientToUpstream.failedAtSink()
                    || upstreamToClient.failedAtSource()) {
                startDrainingReset(true, clientToUpstream.failedAtSink() ? clientToUpstream : upstreamToClient);
            } else if ((clientEvents & EPOLLERR()) != 0 || upstreamToClient.failedAtSink()
                    || clientToUpstream.failedAtSource()) {
                startDrainingReset(false, upstreamToClient.failedAtSink() ? upstreamToClient : clientToUpstream);
            } else if (clientToUpstream.state() == SpliceForwarder.State.FAILED
                    || upstreamToClient.state() == SpliceForwarder.State.FAILED) {
                SpliceForwarder failed = clientToUpstream.state() == SpliceForwarder.State.FAILED
                        ? clientToUpstream : upstreamToClient;
                if (worker.warnings().admit()) {
                    worker.warnings().print("tcp " + worker.listenerName() + ": resetting the stream: no pipe: "
                            + Errno.describe(failed.error()));
                }
                resetBoth();
                return;
            }
        }
        if (state == State.DRAINING_RESET) {
            SpliceForwarder fromResetSide = resetByUpstream ? upstreamToClient : clientToUpstream;
            if (fromResetSide.isFinished()) {
                if (fromResetSide.failedAtSink()) {
                    resetBoth();
                } else {
                    startFlushingReset();
                }
                return;
            }
        }
        if (clientToUpstream.isFinished() && upstreamToClient.isFinished()) {
            close();
            return;
        }
        // Under level-triggered epoll a socket in error or hung up (peer FIN and our FIN both done) stays ready
        // forever, whatever the interest mask: the bytes still queued on it must be read out, so it leaves the epoll
        // set and is drained from the other side's writability (every read now returns data, EOF or the error, never
        // EAGAIN).
        if ((clientEvents & (EPOLLHUP() | EPOLLERR())) != 0) {
            unregisterClient();
        }
        if ((upstreamEvents & (EPOLLHUP() | EPOLLERR())) != 0) {
            unregisterUpstream();
        }
        rearm((clientToUpstream.wantsSourceReadable() ? EPOLLIN() : 0)
                        | (upstreamToClient.wantsSinkWritable() ? EPOLLOUT() : 0),
                (upstreamToClient.wantsSourceReadable() ? EPOLLIN() : 0)
                        | (clientToUpstream.wantsSinkWritable() ? EPOLLOUT() : 0));
    }

    /**
     * One side reset ({@code failed} is the direction that showed it): nothing more can be written to it, so the
     * direction towards it is dropped, while what it sent before the reset still reaches the other side, as on a
     * direct connection, with no FIN after it (that would pass for a complete stream). Its socket leaves the epoll
     * set (an error is reported forever) and is read out to the reset.
     */
    private void startDrainingReset(boolean upstreamReset, SpliceForwarder failed) {
        state = State.DRAINING_RESET;
        resetByUpstream = upstreamReset;
        if (upstreamReset) {
            upstreamFault("reset the stream (" + (failed.error() != 0 ? Errno.describe(failed.error()) : "socket error")
                    + "); resetting the client once what it sent is through");
        }
        SpliceForwarder fromResetSide = upstreamReset ? upstreamToClient : clientToUpstream;
        towardsResetSide().discard(upstreamReset ? clientFd : upstreamFd);
        fromResetSide.finByClose();
        if (upstreamReset) {
            unregisterUpstream();
        } else {
            unregisterClient();
        }
        fromResetSide.sourceHungUp();
        if (fromResetSide.pump() > 0) {
            touch();
        }
    }

    /**
     * Everything the reset side sent is in the other side's socket. A reset now would discard what that socket has
     * not yet sent, so the reset waits until it has: with TCP_NOTSENT_LOWAT at 1, writability means nothing is left
     * unsent. The idle timeout bounds a peer that never reads.
     */
    private void startFlushingReset() {
        boolean otherRegistered = resetByUpstream ? clientRegistered : upstreamRegistered;
        int otherFd = resetByUpstream ? clientFd : upstreamFd;
        if (!otherRegistered || sys.setIntOption(otherFd, IPPROTO_TCP(), TCP_NOTSENT_LOWAT(), 1) != 0) {
            resetBoth();
            return;
        }
        state = State.FLUSHING_RESET;
        rearmWhileFlushingReset();
    }

    /**
     * FLUSHING_RESET: the only side still watched is the other one. Its writability (or its error or hang-up) ends the
     * session; what it sends till then is thrown away.
     */
    private void whileFlushingReset(int events) {
        if ((events & (EPOLLOUT() | EPOLLERR() | EPOLLHUP())) != 0) {
            resetBoth();
            return;
        }
        SpliceForwarder discarding = towardsResetSide();
        discarding.sourceReady();
        discarding.pump();
        rearmWhileFlushingReset();
    }

    private void rearmWhileFlushingReset() {
        int watch = EPOLLOUT() | (towardsResetSide().wantsSourceReadable() ? EPOLLIN() : 0);
        if (resetByUpstream) {
            rearm(watch, 0);
        } else {
            rearm(0, watch);
        }
    }

    private void unregisterClient() {
        if (clientRegistered) {
            reactor.unregister(clientToken);
            clientRegistered = false;
        }
    }

    private void unregisterUpstream() {
        if (upstreamRegistered) {
            reactor.unregister(upstreamToken);
            upstreamRegistered = false;
        }
    }

    /** After a reset: the direction towards the side that reset, which {@link SpliceForwarder#discard}s. */
    private SpliceForwarder towardsResetSide() {
        return resetByUpstream ? clientToUpstream : upstreamToClient;
    }

    private void rearm(int wantClient, int wantUpstream) {
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
     * The stream failed: both sides are reset (SO_LINGER 0), so that neither takes a FIN for the end of a complete
     * stream.
     */
    private void resetBoth() {
        sys.resetOnClose(clientFd);
        if (upstreamFd >= 0) {
            sys.resetOnClose(upstreamFd);
        }
        close();
    }

    /** Logged and counted when it happens, so that the count says the proxy has seen the fault. */
    private void upstreamFault(String what) {
        if (worker.warnings().admit()) {
            worker.warnings().print("tcp " + worker.listenerName() + ": upstream " + endpoint + " " + what);
        }
        worker.countUpstreamFailure();
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
