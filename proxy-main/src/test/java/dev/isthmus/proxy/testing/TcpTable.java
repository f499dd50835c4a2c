package dev.isthmus.proxy.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * One connection's row of /proc/net/tcp or /proc/net/tcp6, found by its two ports, which on loopback name it whatever
 * the address family of the listening socket. The columns are the kernel's: {@link #QUEUES} is
 * {@code tx_queue:rx_queue} in hex, {@link #INODE} the socket's inode.
 */
final class TcpTable {
    static final int QUEUES = 4;
    static final int INODE = 9;
    static final List<Path> TABLES = List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));

    private TcpTable() {
    }

    /** The row's whitespace-separated columns, if a connection from {@code localPort} to {@code remotePort} exists. */
    static Optional<String[]> row(int localPort, int remotePort) {
        String local = portSuffix(localPort);
        String remote = portSuffix(remotePort);
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
                    return Optional.of(f);
                }
            }
        }
        return Optional.empty();
    }

    /** The connection's {@code tx_queue} and {@code rx_queue}; an assertion error if there is no such connection. */
    static Queues queues(int localPort, int remotePort) {
        String queues = row(localPort, remotePort).orElseThrow(() -> new AssertionError("no connection from port "
                + localPort + " to port " + remotePort + " in " + TABLES))[QUEUES];
        int colon = queues.indexOf(':');
        return new Queues(Long.parseLong(queues.substring(0, colon), 16),
                Long.parseLong(queues.substring(colon + 1), 16));
    }

    /** Bytes written and not yet acknowledged by the peer; bytes received and not yet read by the socket's owner. */
    record Queues(long unacknowledged, long received) {
    }

    private static String portSuffix(int port) {
        return String.format(":%04X", port);
    }
}
