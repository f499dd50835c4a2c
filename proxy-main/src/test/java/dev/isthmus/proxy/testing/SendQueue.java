package dev.isthmus.proxy.testing;

import java.net.Socket;
import java.time.Duration;

/**
 * A loopback socket's unacknowledged bytes, from {@code tx_queue} in /proc/net/tcp. A peer that resets (SO_LINGER 0)
 * throws away whatever is still in its send queue, so a test that means "everything was sent, then the reset"
 * waits here for the queue to empty first.
 */
public final class SendQueue {
    private SendQueue() {
    }

    /**
     * Waits until every byte written to {@code socket} has been acknowledged. The connection is found by its two
     * ports, which on loopback name it whatever the address family of the listening socket.
     */
    public static void awaitAcknowledged(Socket socket, Duration timeout) throws InterruptedException {
        int local = socket.getLocalPort();
        int remote = socket.getPort();
        Eventually.await("the peer to acknowledge every byte sent from :" + local, timeout,
                () -> unacknowledged(local, remote) == 0);
    }

    private static long unacknowledged(int local, int remote) {
        String queues = TcpTable.row(local, remote).orElseThrow(() -> new AssertionError(
                "no connection from port " + local + " to port " + remote + " in " + TcpTable.TABLES))[TcpTable.QUEUES];
        return Long.parseLong(queues.substring(0, queues.indexOf(':')), 16);
    }
}
