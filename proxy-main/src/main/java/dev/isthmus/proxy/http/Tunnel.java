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
 */
final class Tunnel {
    private final BodyTransfer upstreamBound;
    private final BodyTransfer clientBound;
    private final UpstreamConnection upstream;
    private final HttpStats stats;

    Tunnel(BodyTransfer upstreamBound, BodyTransfer clientBound, UpstreamConnection upstream, HttpStats stats) {
        this.upstreamBound = upstreamBound;
        this.clientBound = clientBound;
        this.upstream = upstream;
        this.stats = stats;
    }

    /**
     * Starts both directions, once the 101 and any bytes the client sent after its request went out, and moves what
     * can be moved already; false when the tunnel is over at once.
     */
    boolean start(int clientFd) {
        upstreamBound.startTunnel(clientFd, upstream.fd());
        clientBound.startTunnel(upstream.fd(), clientFd);
        return pump(0, false);
    }

    /** Events of the client's socket ({@code fromClient}) or the upstream's; false when the tunnel is over. */
    boolean onEvents(int events, boolean fromClient) {
        BodyTransfer outbound = fromClient ? upstreamBound : clientBound;
        BodyTransfer inbound = fromClient ? clientBound : upstreamBound;
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

    /**
     * Moves both directions; false when the tunnel is over: both directions are done, or one failed, or a socket
     * reported an error. A hang-up does not end it: the hung-up socket may still hold bytes, so (as in the TCP proxy)
     * it leaves the epoll set, where it would be reported forever, and is drained from the other side's
     * writability. The upstream's socket is handled here; the caller detaches the client's.
     */
    private boolean pump(int events, boolean fromClient) {
        upstreamBound.pump();
        clientBound.pump();
        stats.bytesSpliced += upstreamBound.takeSplicedBytes() + clientBound.takeSplicedBytes();
        boolean failed = upstreamBound.state() == BodyTransfer.State.FAILED
                || clientBound.state() == BodyTransfer.State.FAILED;
        boolean done = upstreamBound.state() == BodyTransfer.State.DONE
                && clientBound.state() == BodyTransfer.State.DONE;
        if (failed || done || (events & EPOLLERR()) != 0) {
            return false;
        }
        if ((events & EPOLLHUP()) != 0 && !fromClient) {
            upstream.detach();
        }
        upstream.setInterest((clientBound.wantsSourceReadable() ? EPOLLIN() : 0)
                | (upstreamBound.wantsSinkWritable() ? EPOLLOUT() : 0));
        return true;
    }

    /** What the client's socket must be watched for now. */
    int clientInterest() {
        return (upstreamBound.wantsSourceReadable() ? EPOLLIN() : 0)
                | (clientBound.wantsSinkWritable() ? EPOLLOUT() : 0);
    }
}
