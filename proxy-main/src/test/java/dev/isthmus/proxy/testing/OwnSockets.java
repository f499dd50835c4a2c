package dev.isthmus.proxy.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import java.util.stream.Stream;

/**
 * Finds the descriptor this process holds for one TCP connection, by its ports: the proxy side of a client's
 * connection to an in-process proxy, whose socket options a test then reads as the proxy set them.
 */
public final class OwnSockets {
    private static final List<Path> TABLES = List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));
    private static final int INODE_COLUMN = 9;

    private OwnSockets() {
    }

    /** The fd of this process's socket from {@code localPort} to {@code remotePort}, if it has one open. */
    public static OptionalInt find(int localPort, int remotePort) {
        String inode = inode(portSuffix(localPort), portSuffix(remotePort));
        if (inode == null) {
            return OptionalInt.empty();
        }
        String target = "socket:[" + inode + "]";
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

    private static String inode(String local, String remote) {
        for (Path table : TABLES) {
            try {
                List<String> lines = Files.exists(table) ? Files.readAllLines(table) : List.of();
                for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                    String[] f = line.trim().split("\\s+");
                    if (f[1].endsWith(local) && f[2].endsWith(remote)) {
                        return f[INODE_COLUMN];
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return null;
    }

    private static String portSuffix(int port) {
        return String.format(":%04X", port);
    }
}
