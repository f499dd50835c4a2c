package dev.isthmus.proxy.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
     * Each entry of {@link #describe()} that is a TCP socket, with its endpoints and state from /proc/net/tcp, so that
     * a leak report says which connection leaked (client side, proxy side, upstream) rather than only an inode.
     */
    public static SortedSet<String> explain(Set<String> described) throws IOException {
        Map<String, String> tcp = new HashMap<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path path = Path.of(table);
            if (!Files.exists(path)) {
                continue;
            }
            List<String> lines = Files.readAllLines(path);
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                tcp.put(f[INODE_COLUMN], endpoint(f[1]) + " -> " + endpoint(f[2]) + " " + TCP_STATES.getOrDefault(f[3], f[3]));
            }
        }
        SortedSet<String> out = new TreeSet<>();
        for (String entry : described) {
            int open = entry.indexOf("socket:[");
            String inode = open < 0 ? null : entry.substring(open + "socket:[".length(), entry.length() - 1);
            out.add(inode != null && tcp.containsKey(inode) ? entry + " tcp " + tcp.get(inode) : entry);
        }
        return out;
    }

    private static final int INODE_COLUMN = 9;
    private static final Map<String, String> TCP_STATES = Map.ofEntries(Map.entry("01", "ESTABLISHED"),
            Map.entry("02", "SYN_SENT"), Map.entry("03", "SYN_RECV"), Map.entry("04", "FIN_WAIT1"),
            Map.entry("05", "FIN_WAIT2"), Map.entry("06", "TIME_WAIT"), Map.entry("07", "CLOSE"),
            Map.entry("08", "CLOSE_WAIT"), Map.entry("09", "LAST_ACK"), Map.entry("0A", "LISTEN"),
            Map.entry("0B", "CLOSING"));

    /** {@code 0100007F:1F90} (IPv4, little-endian hex) as {@code :8080}; the address is always loopback here. */
    private static String endpoint(String hex) {
        return ":" + Integer.parseInt(hex.substring(hex.indexOf(':') + 1), 16);
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
