package dev.isthmus.proxy.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * This process's open sockets, pipes and eventfds from /proc/self/fd: everything a proxied connection or a reactor
 * can leak. Other kinds are left out on purpose: the JDK opens some for good on first use at moments a test cannot
 * pin down (the epoll pollers behind virtual-thread sockets, /dev/urandom), and the reactor module's own test counts
 * every descriptor around a whole reactor lifecycle.
 */
public final class OpenFds {
    private OpenFds() {
    }

    public static long count() throws IOException {
        return describe().size();
    }

    /** Each open socket, pipe or eventfd and its target, to name a leak in a failure message. */
    public static SortedSet<String> describe() throws IOException {
        SortedSet<String> out = new TreeSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:") || target.startsWith("pipe:") || target.contains("[eventfd]")) {
                        out.add(fd.getFileName() + " -> " + target);
                    }
                } catch (IOException gone) {
                    // the listing's own descriptor, already closed
                }
            }
        }
        return out;
    }

    /**
     * The JDK opens some descriptors for good on first use: one socket for java.net, and the epoll pollers behind
     * blocking socket I/O on virtual threads (test origins use those). Take them before any baseline is counted.
     */
    public static void warmUpJdkSockets() throws IOException {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket client = new Socket(server.getInetAddress(), server.getLocalPort());
             Socket accepted = server.accept()) {
            Thread reader = Thread.ofVirtual().start(() -> {
                try {
                    accepted.getInputStream().read();
                    accepted.getOutputStream().write(1);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            client.getOutputStream().write(1);
            client.getInputStream().read();
            reader.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
