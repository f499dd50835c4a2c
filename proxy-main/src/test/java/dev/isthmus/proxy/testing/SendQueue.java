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
        PeerSocket.awaitAcknowledged(socket.getLocalPort(), socket.getPort(), timeout);
    }
}
