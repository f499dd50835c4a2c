package dev.isthmus.proxy.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.stream.Stream;

/**
 * Finds the descriptor this process holds for one TCP connection, by its ports: the proxy side of a client's
 * connection to an in-process proxy, whose socket options a test then reads as the proxy set them.
 */
public final class OwnSockets {
    private OwnSockets() {
    }

    /** Waits until this process has accepted the connection from {@code remotePort} to {@code localPort}; its fd. */
    public static int awaitAccepted(int localPort, int remotePort, Duration timeout) throws InterruptedException {
        Eventually.await("the proxy to accept the connection from :" + remotePort, timeout,
                () -> find(localPort, remotePort).isPresent());
        return find(localPort, remotePort).orElseThrow();
    }

    /** The fd of this process's socket from {@code localPort} to {@code remotePort}, if it has one open. */
    public static OptionalInt find(int localPort, int remotePort) {
        String[] row = TcpTable.row(localPort, remotePort).orElse(null);
        if (row == null) {
            return OptionalInt.empty();
        }
        String target = "socket:[" + row[TcpTable.INODE] + "]";
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    if (Files.readSymbolicLink(fd).toString().equals(target)) {
                        return OptionalInt.of(Integer.parseInt(fd.getFileName().toString()));
                    }
                } catch (IOException gone) {
                    // the listing's own descriptor, already closed
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return OptionalInt.empty();
    }
}
