package dev.isthmus.proxy.http;

import static dev.isthmus.bindings.generated.isthmus_sys_h.EPOLLERR;
import static dev.isthmus.bindings.generated.isthmus_sys_h.EPOLLHUP;
import static dev.isthmus.bindings.generated.isthmus_sys_h.EPOLLIN;
import static dev.isthmus.bindings.generated.isthmus_sys_h.EPOLLOUT;

/**
 * The two-way stream a connection becomes after a WebSocket upgrade's {@code 101}: client to upstream and upstream
 * to client, each spliced until its source's EOF, which is then passed on as a FIN. From the switch on it drives
 * the connection's two {@link BodyTransfer}s and the upstream socket's epoll interest; the {@link ClientConnection}
 * keeps its own socket and closes both when this says the tunnel is over. Created once, at the switch: a tunnel
 * ends its connection. Confined to the reactor thread.
 *
 * <p>States: {@code OPEN}; a reset on one side (an error on its socket, or a write to it refused) makes it
 * {@code CLIENT_RESET} or {@code UPSTREAM_RESET}: nothing more can be written to that side, but what it sent before
 * the reset is still in its socket, so that direction is read out to the reset and delivered before the tunnel is
 * over, as a direct connection would have delivered it.
 */
final class Tunnel {
    private enum State { OPEN, CLIENT_RESET, UPSTREAM_RESET }

    private final BodyTransfer upstreamBound;
    private final BodyTransfer clientBound;
    private final UpstreamConnection upstream;
    private final HttpStats stats;
    private State state = State.OPEN;

    Tunnel(BodyTransfer upstreamBound, BodyTransfer clientBound, UpstreamConnection upstream, HttpStats stats) {
        this.upstreamBound = upstreamBound;
        this.clientBound = clientBound;
        this.upstream = upstream;
        this.stats = stats;
    }

    /**
     * Starts both directions, once the 101 and any bytes the client sent after its request went out, and moves what
     * can be moved already; false when the tunnel is over at once. An upstream already detached reset (or hung up)
     * during the switch: the tunnel starts in its reset state.
     */
    boolean start(int clientFd) {
        upstreamBound.startTunnel(clientFd, upstream.fd());
        clientBound.startTunnel(upstream.fd(), clientFd);
        if (upstream.isDetached()) {
            reset(false);
        }
        return pump(0, false);
    }

    /** Events of the client's socket ({@code fromClient}) or the upstream's; false when the tunnel is over. */
    boolean onEvents(int events, boolean fromClient) {
        BodyTransfer outbound = fromClient ? upstreamBound : clientBound;
        BodyTransfer inbound = fromClient ? clientBound : upstreamBound;
        if ((events & EPOLLERR()) != 0 && state == State.OPEN) {
            reset(fromClient);
        }
        if ((events & (EPOLLIN() | EPOLLHUP() | EPOLLERR())) != 0) {
            outbound.sourceReady();
        }
        if ((events & EPOLLHUP()) != 0) {
            outbound.sourceHungUp();
        }
        if ((events & (EPOLLOUT() | EPOLLHUP() | EPOLLERR())) != 0) {
            inbound.sinkReady();
        }
        return pump(events, fromClient);
    }

    /** The client reset: its socket must leave the caller's epoll set, where the error would be reported forever. */
    boolean clientReset() {
        return state == State.CLIENT_RESET;
    }

    /**
     * Moves both directions; false when the tunnel is over: both directions are done, or one failed, or, after a
     * reset, the direction from the reset side has been read out. A hang-up does not end it: the hung-up socket may
     * still hold bytes, so (as in the TCP proxy) it leaves the epoll set, where it would be reported forever, and is
     * drained from the other side's writability. The upstream's socket is handled here; the caller detaches the
     * client's.
     */
    private boolean pump(int events, boolean fromClient) {
        upstreamBound.pump();
        clientBound.pump();
        stats.bytesSpliced += upstreamBound.takeSplicedBytes() + clientBound.takeSplicedBytes();
        if (state == State.OPEN && upstreamBound.sinkError() != 0) {
            reset(false);
            clientBound.pump();
        } else if (state == State.OPEN && clientBound.sinkError() != 0) {
            reset(true);
            upstreamBound.pump();
        }
        if (state != State.OPEN) {
            BodyTransfer fromResetSide = state == State.CLIENT_RESET ? upstreamBound : clientBound;
            if (!fromResetSide.isActive()) {
                return false;
            }
        } else if (upstreamBound.state() == BodyTransfer.State.FAILED
                || clientBound.state() == BodyTransfer.State.FAILED
                || (upstreamBound.state() == BodyTransfer.State.DONE
                && clientBound.state() == BodyTransfer.State.DONE)) {
            return false;
        }
        if ((events & EPOLLHUP()) != 0 && !fromClient) {
            upstream.detach();
        }
        upstream.setInterest((clientBound.wantsSourceReadable() ? EPOLLIN() : 0)
                | (upstreamBound.wantsSinkWritable() ? EPOLLOUT() : 0));
        return true;
    }

    /**
     * One side reset: the direction towards it is dropped, the one from it reads to the reset without waiting for
     * events, and a reset upstream leaves the epoll set.
     */
    private void reset(boolean client) {
        state = client ? State.CLIENT_RESET : State.UPSTREAM_RESET;
        BodyTransfer fromResetSide = client ? upstreamBound : clientBound;
        BodyTransfer toResetSide = client ? clientBound : upstreamBound;
        toResetSide.release();
        fromResetSide.sourceReady();
        fromResetSide.sourceHungUp();
        if (!client) {
            upstream.detach();
        }
    }

    /** What the client's socket must be watched for now. */
    int clientInterest() {
        return (upstreamBound.wantsSourceReadable() ? EPOLLIN() : 0)
                | (clientBound.wantsSinkWritable() ? EPOLLOUT() : 0);
    }
}
