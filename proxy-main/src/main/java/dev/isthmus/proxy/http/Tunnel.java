package dev.isthmus.proxy.http;

import dev.isthmus.bindings.Errno;

import java.lang.foreign.MemorySegment;

import static dev.isthmus.bindings.generated.isthmus_sys_h.EPOLLERR;
import static dev.isthmus.bindings.generated.isthmus_sys_h.EPOLLHUP;
import static dev.isthmus.bindings.generated.isthmus_sys_h.EPOLLIN;
import static dev.isthmus.bindings.generated.isthmus_sys_h.EPOLLOUT;

/**
 * The two-way stream a connection becomes at a WebSocket upgrade's {@code 101}: client to upstream and upstream to
 * client, each spliced until its source's EOF, which is then passed on as a FIN. From the 101 on it drives the
 * connection's two {@link BodyTransfer}s and the upstream socket's epoll interest; the {@link ClientConnection} keeps
 * its own socket and closes both when this says the tunnel is over. Created once, at the 101: a tunnel ends its
 * connection. Confined to the reactor thread.
 *
 * <p>States: {@code SWITCHING} while what is already on its way must go first, each direction in its order: to the
 * client, the part of the 101 and the upstream's first bytes that one write did not take; to the upstream, what is
 * left of the request head, then the bytes the client sent after it. Then {@code OPEN}. A reset on one side (an
 * error or hang-up on its socket, or a write to it refused) makes it {@code CLIENT_RESET} or {@code UPSTREAM_RESET},
 * at once, or once the switch is over when it comes during it: nothing more can be written to that side, but what it
 * sent before the reset is still in its socket, so that direction is read out to the reset and delivered before the
 * tunnel is over, as a direct connection would have delivered it; what the other side sends towards it meanwhile is
 * thrown away, as the reset side's kernel would, so that a peer blocked writing to it reads again.
 */
final class Tunnel {
    private enum State { SWITCHING, OPEN, CLIENT_RESET, UPSTREAM_RESET }

    /** {@link #sendToUpstream}: a short write left bytes there was no chunk to keep in. */
    private static final long NO_MEMORY = Long.MIN_VALUE;

    private final BodyTransfer upstreamBound;
    private final BodyTransfer clientBound;
    private final UpstreamConnection upstream;
    private final int clientFd;
    private final PendingWrite toClient;
    private final PendingWrite toUpstream;
    private final GatherWriter writer;
    private final HttpStats stats;
    private State state = State.SWITCHING;
    /** SWITCHING: the client reset; the tunnel opens in {@code CLIENT_RESET}. */
    private boolean clientResetWhileSwitching;
    /** The switch ended the tunnel: a short write left bytes there was no chunk to keep. */
    private boolean outOfMemory;
    /** SWITCHING: bytes the client sent after its request head, {@code [clientBytesFrom, clientBytesTo)}. */
    private MemorySegment clientBytes;
    private long clientBytesFrom;
    private long clientBytesTo;

    Tunnel(BodyTransfer upstreamBound, BodyTransfer clientBound, UpstreamConnection upstream, int clientFd,
            PendingWrite toClient, PendingWrite toUpstream, GatherWriter writer, HttpStats stats) {
        this.upstreamBound = upstreamBound;
        this.clientBound = clientBound;
        this.upstream = upstream;
        this.clientFd = clientFd;
        this.toClient = toClient;
        this.toUpstream = toUpstream;
        this.writer = writer;
        this.stats = stats;
    }

    /**
     * Starts the switch once the 101 went to the client (or waits in {@code toClient}); {@code [from, to)} of
     * {@code bytes} is what the client sent after its request head, which must stay there until this is over. False
     * when the tunnel is over at once.
     */
    boolean start(MemorySegment bytes, long from, long to) {
        clientBytes = bytes;
        clientBytesFrom = from;
        clientBytesTo = to;
        return advanceSwitch();
    }

    /** Events of the client's socket ({@code fromClient}) or the upstream's; false when the tunnel is over. */
    boolean onEvents(int events, boolean fromClient) {
        if (state == State.SWITCHING) {
            if ((events & (EPOLLERR() | EPOLLHUP())) != 0) {
                resetWhileSwitching(fromClient);
            }
            return advanceSwitch();
        }
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

    /** Whether the tunnel is over because buffer memory ran out, not because a side ended or reset. */
    boolean outOfMemory() {
        return outOfMemory;
    }

    /** The switch is not over yet: what went before the 101 still waits to go out. */
    boolean switching() {
        return state == State.SWITCHING;
    }

    /** The client reset: its socket must leave the caller's epoll set, where the error would be reported forever. */
    boolean clientReset() {
        return state == State.CLIENT_RESET || clientResetWhileSwitching;
    }

    /** What the client's socket must be watched for now. */
    int clientInterest() {
        if (state == State.SWITCHING) {
            return toClient.isEmpty() ? 0 : EPOLLOUT();
        }
        return (upstreamBound.wantsSourceReadable() ? EPOLLIN() : 0)
                | (clientBound.wantsSinkWritable() ? EPOLLOUT() : 0);
    }

    /** Sends what waits each way; once neither way has anything left, opens the tunnel. */
    private boolean advanceSwitch() {
        if (!upstream.isDetached()) {
            long sent = sendToUpstream();
            if (sent == NO_MEMORY) {
                outOfMemory = true;
                return false;
            }
            if (sent < 0) {
                resetWhileSwitching(false);
            }
        }
        if (!clientResetWhileSwitching && !toClient.isEmpty() && Errno.isFailure(toClient.flush(clientFd))) {
            resetWhileSwitching(true);
        }
        boolean upstreamClear = upstream.isDetached() || (toUpstream.isEmpty() && clientBytesFrom == clientBytesTo);
        if (upstreamClear && toClient.isEmpty()) {
            return open();
        }
        upstream.setInterest(upstreamClear ? 0 : EPOLLOUT());
        return true;
    }

    /**
     * What is left of the request head, then the client's bytes after it; a short write keeps the rest in
     * {@code toUpstream}. 0 when nothing failed (all sent, or waiting for writability), else {@code -errno} or
     * {@link #NO_MEMORY}.
     */
    private long sendToUpstream() {
        if (!toUpstream.isEmpty()) {
            long r = toUpstream.flush(upstream.fd());
            if (r != 0) {
                return Errno.isFailure(r) ? r : 0;
            }
        }
        if (clientBytesFrom == clientBytesTo) {
            return 0;
        }
        GatherWriter out = writer.begin().add(clientBytes, clientBytesFrom, clientBytesTo - clientBytesFrom);
        long written = out.write(upstream.fd());
        clientBytesFrom = clientBytesTo;
        if (Errno.isFailure(written)) {
            return written;
        }
        if (written < out.totalBytes() && !toUpstream.keepUnsent(out, Math.max(written, 0))) {
            return NO_MEMORY;
        }
        return 0;
    }

    /**
     * One side reset (or refused a write) during the switch: what still waited for it is dropped, and the tunnel will
     * open in that side's reset state. A reset upstream leaves the epoll set here; the caller detaches the client.
     */
    private void resetWhileSwitching(boolean client) {
        if (client) {
            clientResetWhileSwitching = true;
            toClient.release();
        } else {
            toUpstream.release();
            clientBytesFrom = clientBytesTo;
            upstream.detach();
        }
    }

    /** Starts both directions and moves what can be moved already; false when the tunnel is over at once. */
    private boolean open() {
        state = State.OPEN;
        clientBytes = null;
        upstreamBound.startTunnel(clientFd, upstream.fd());
        clientBound.startTunnel(upstream.fd(), clientFd);
        if (upstream.isDetached() && clientResetWhileSwitching) {
            return false;
        }
        if (upstream.isDetached()) {
            reset(false);
        } else if (clientResetWhileSwitching) {
            reset(true);
        }
        return pump(0, false);
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
        if (upstreamBound.sinkError() != 0) {
            // The write took the upstream's reset from its socket, where a read now finds a plain end of stream:
            // passed on as a FIN, it would make the cut stream look complete to the client.
            clientBound.withholdFin();
        }
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
     * One side reset: what goes towards it is thrown away from now on (a peer blocked writing to it then moves again
     * and reads what is still on its way to it), the direction from it reads to the reset without waiting for
     * events, and a reset upstream leaves the epoll set.
     */
    private void reset(boolean client) {
        state = client ? State.CLIENT_RESET : State.UPSTREAM_RESET;
        BodyTransfer fromResetSide = client ? upstreamBound : clientBound;
        BodyTransfer toResetSide = client ? clientBound : upstreamBound;
        toResetSide.discardTunnel();
        fromResetSide.sourceReady();
        fromResetSide.sourceHungUp();
        if (!client) {
            upstream.detach();
        }
    }
}
