package dev.isthmus.proxy.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A loopback socket's unacknowledged bytes, from {@code tx_queue} in /proc/net/tcp. A peer that resets (SO_LINGER 0)
 * throws away whatever is still in its send queue, so a test that means "everything was sent, then the reset"
 * waits here for the queue to empty first.
 */
public final class SendQueue {
    private static final List<Path> TABLES = List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));

    private SendQueue() {
    }

    /**
     * Waits until every byte written to {@code socket} has been acknowledged. The connection is found by its two
     * ports, which on loopback name it whatever the address family of the listening socket.
     */
    public static void awaitAcknowledged(Socket socket, Duration timeout) throws InterruptedException {
        String local = portSuffix(socket.getLocalPort());
        String remote = portSuffix(socket.getPort());
        Eventually.await("the peer to acknowledge every byte sent from :" + socket.getLocalPort(), timeout,
                () -> unacknowledged(local, remote) == 0);
    }

    private static long unacknowledged(String local, String remote) {
        for (Path table : TABLES) {
            List<String> lines;
            try {
                lines = Files.exists(table) ? Files.readAllLines(table) : List.of();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (f[1].endsWith(local) && f[2].endsWith(remote)) {
                    String queues = f[4];
                    return Long.parseLong(queues.substring(0, queues.indexOf(':')), 16);
                }
            }
        }
        throw new AssertionError("no connection from port" + local + " to port" + remote + " in " + TABLES);
    }

    private static String portSuffix(int port) {
        return String.format(":%04X", port);
    }
}
