package dev.isthmus.reactor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Counts this process's open descriptors from /proc/self/fd, the ground truth for leak checks. */
public final class OpenFds {
    private OpenFds() {
    }

    public static long count() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    /**
     * The JDK keeps one socket open for good after its first {@code java.net.Socket} is used; open and close a pair
     * first so that the baseline count already includes it.
     */
    public static void warmUpJdkSockets() throws IOException {
        try (java.net.ServerSocket server = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
             java.net.Socket client = new java.net.Socket(server.getInetAddress(), server.getLocalPort());
             java.net.Socket accepted = server.accept()) {
            client.getOutputStream().flush();
            accepted.getInputStream().available();
        }
    }

    /** Each open descriptor with what it points at, to name a leak in a failure message. */
    public static java.util.SortedSet<String> describe() throws IOException {
        java.util.SortedSet<String> out = new java.util.TreeSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    out.add(fd.getFileName() + " -> " + Files.readSymbolicLink(fd));
                } catch (IOException gone) {
                    // the directory stream's own fd, closed by now
                }
            }
        }
        return out;
    }
}
