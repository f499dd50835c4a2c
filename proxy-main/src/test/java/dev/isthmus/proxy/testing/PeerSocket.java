package dev.isthmus.proxy.testing;

import java.time.Duration;

/**
 * One end of a loopback connection as the kernel shows it in /proc/net/tcp, whichever process holds it: for tests that
 * must know what a child proxy's socket has read, had acknowledged or taken a reset on before they go on. A socket is
 * named by its own port and its peer's.
 */
public final class PeerSocket {
    private PeerSocket() {
    }

    /** Bytes the socket's owner wrote that its peer has not acknowledged yet. */
    public static long unacknowledged(int localPort, int remotePort) {
        return TcpTable.queues(localPort, remotePort).unacknowledged();
    }

    /** Waits until the process holding the socket has read every byte that reached it. */
    public static void awaitRead(int localPort, int remotePort, Duration timeout) throws InterruptedException {
        Eventually.await("the socket :" + localPort + " -> :" + remotePort + " to be read empty", timeout,
                () -> TcpTable.queues(localPort, remotePort).received() == 0);
    }

    /** Waits until the peer has acknowledged every byte the process holding the socket wrote to it. */
    public static void awaitAcknowledged(int localPort, int remotePort, Duration timeout) throws InterruptedException {
        Eventually.await("the peer of :" + localPort + " to acknowledge every byte", timeout,
                () -> unacknowledged(localPort, remotePort) == 0);
    }

    /** Waits until the socket has left the kernel's tables: closed, or reset by its peer (its fd may still be open). */
    public static void awaitGone(int localPort, int remotePort, Duration timeout) throws InterruptedException {
        Eventually.await("the socket :" + localPort + " -> :" + remotePort + " to be closed or reset", timeout,
                () -> TcpTable.row(localPort, remotePort).isEmpty());
    }
}
