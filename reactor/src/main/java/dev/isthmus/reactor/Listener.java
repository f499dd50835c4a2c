package dev.isthmus.reactor;

import dev.isthmus.bindings.Errno;
import dev.isthmus.bindings.SocketAddresses;
import dev.isthmus.bindings.SyscallException;
import dev.isthmus.bindings.Syscalls;

import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import static dev.isthmus.bindings.generated.isthmus_sys_h.EAGAIN;
import static dev.isthmus.bindings.generated.isthmus_sys_h.EFD_CLOEXEC;
import static dev.isthmus.bindings.generated.isthmus_sys_h.EPOLLIN;
import static dev.isthmus.bindings.generated.isthmus_sys_h.IPPROTO_IPV6;
import static dev.isthmus.bindings.generated.isthmus_sys_h.IPPROTO_TCP;
import static dev.isthmus.bindings.generated.isthmus_sys_h.IPV6_V6ONLY;
import static dev.isthmus.bindings.generated.isthmus_sys_h.SOCK_CLOEXEC;
import static dev.isthmus.bindings.generated.isthmus_sys_h.SOCK_NONBLOCK;
import static dev.isthmus.bindings.generated.isthmus_sys_h.SOCK_STREAM;
import static dev.isthmus.bindings.generated.isthmus_sys_h.SOL_SOCKET;
import static dev.isthmus.bindings.generated.isthmus_sys_h.SO_REUSEADDR;
import static dev.isthmus.bindings.generated.isthmus_sys_h.SO_REUSEPORT;
import static dev.isthmus.bindings.generated.isthmus_sys_h.TCP_NODELAY;
import static dev.isthmus.bindings.generated.isthmus_sys_h.TCP_QUICKACK;

/**
 * One reactor's listen socket. Every reactor binds its own {@code SO_REUSEPORT} socket to the same address and the
 * kernel spreads new connections across them. Confined to the reactor thread.
 *
 * <p>Accepts until EAGAIN (bounded per event; level-triggered epoll re-reports the rest). Running out of descriptors
 * or memory (EMFILE, ENFILE, ENOBUFS, ENOMEM) would otherwise spin on a queue that stays readable, so the listener
 * drops its interest and retries after {@link #BACKOFF_NANOS}. It also backs off before that: an accepted descriptor
 * numbered at or above the high-water mark (the open-files limit less an eighth, at least 64) means the process is
 * close to the limit (Linux hands out the lowest free number), and the rest must stay free for the upstream sockets
 * and pipes of the connections already accepted; the clients beyond wait in the kernel's backlog until a probe (a
 * throw-away eventfd) finds a free descriptor below the mark. One warning per streak of back-offs, and a note when
 * accepting succeeds again.
 */
public final class Listener implements EventHandler {
    /** Receives each accepted, non-blocking fd, which it then owns, and the peer's encoded address. */
    @FunctionalInterface
    public interface AcceptHandler {
        void onAccept(int fd, MemorySegment peerAddress);
    }

    private static final System.Logger LOG = System.getLogger(Listener.class.getName());
    private static final int BACKLOG = 4096;
    private static final int MAX_ACCEPTS_PER_EVENT = 256;
    static final long BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long MIN_DESCRIPTOR_RESERVE = 64;
    private static final long RESERVE_FRACTION = 8;

    private final EpollReactor reactor;
    private final Syscalls sys;
    private final AcceptHandler handler;
    private final MemorySegment peer;
    private final Timer backoff;
    private final int fd;
    private final int port;
    private final long descriptorHighWater;
    private long token;
    private long accepted;
    private long backoffs;
    private boolean closed;
    private boolean paused;
    private long streakBackoffs;
    private boolean pausedForDescriptors;

    private Listener(EpollReactor reactor, int fd, int port, AcceptHandler handler) {
        this.reactor = reactor;
        this.sys = reactor.syscalls();
        this.fd = fd;
        this.port = port;
        this.handler = handler;
        this.peer = reactor.arena().allocate(SocketAddresses.MAX_LENGTH, Long.BYTES);
        this.backoff = reactor.newTimer(this::resumeAccepting);
        long limit = sys.openFilesSoftLimit();
        this.descriptorHighWater = limit <= 0 ? Long.MAX_VALUE
                : limit - Math.max(MIN_DESCRIPTOR_RESERVE, limit / RESERVE_FRACTION);
    }

    /** Binds, listens and registers on {@code reactor}; port 0 picks a free port (see {@link #port()}). */
    public static Listener open(EpollReactor reactor, InetSocketAddress address, AcceptHandler handler)
            throws SyscallException {
        return open(reactor, address, 0, 0, handler);
    }

    /**
     * {@link #open(EpollReactor, InetSocketAddress, AcceptHandler)} with the buffer sizes every accepted socket
     * inherits (see {@link Sockets#setBufferSizes}; zero keeps the kernel's autotuned default).
     */
    public static Listener open(EpollReactor reactor, InetSocketAddress address, int sendBufferBytes,
                                int receiveBufferBytes, AcceptHandler handler) throws SyscallException {
        Syscalls sys = reactor.syscalls();
        MemorySegment sockaddr = reactor.arena().allocate(SocketAddresses.MAX_LENGTH, Long.BYTES);
        int length = SocketAddresses.write(sockaddr, address);
        int fd = sys.socket(Sockets.family(sockaddr), SOCK_STREAM() | SOCK_NONBLOCK() | SOCK_CLOEXEC(), 0);
        SyscallException.check("socket", fd);
        boolean success = false;
        try {
            SyscallException.check("setsockopt(SO_REUSEADDR)", sys.setIntOption(fd, SOL_SOCKET(), SO_REUSEADDR(), 1));
            SyscallException.check("setsockopt(SO_REUSEPORT)", sys.setIntOption(fd, SOL_SOCKET(), SO_REUSEPORT(), 1));
            if (address.getAddress() instanceof java.net.Inet6Address) {
                sys.setIntOption(fd, IPPROTO_IPV6(), IPV6_V6ONLY(), 1);
            }
            // Accepted sockets inherit TCP_NODELAY from the listener on Linux: one call here instead of one per accept.
            sys.setIntOption(fd, IPPROTO_TCP(), TCP_NODELAY(), 1);
            SyscallException.check("setsockopt(SO_SNDBUF/SO_RCVBUF)",
                    Sockets.setBufferSizes(sys, fd, sendBufferBytes, receiveBufferBytes));
            int r = sys.bind(fd, sockaddr, length);
            if (r < 0) {
                throw new SyscallException("bind " + address, r);
            }
            SyscallException.check("listen", sys.listen(fd, BACKLOG));
            SyscallException.check("getsockname", sys.getsockname(fd, sockaddr));
            Listener listener = new Listener(reactor, fd, SocketAddresses.port(sockaddr), handler);
            listener.token = reactor.register(fd, EPOLLIN(), listener);
            success = true;
            return listener;
        } finally {
            if (!success) {
                sys.close(fd);
            }
        }
    }

    public int port() {
        return port;
    }

    /**
     * Accepted sockets start with delayed ACKs (HAProxy's {@code tcp-smart-accept}): a request that arrives whole is
     * acknowledged by the response instead of by a segment of its own, one packet fewer per new connection for both
     * ends. The handler must then ask for an immediate ACK (see {@link Sockets#ackNow}) whenever it waits for more of
     * a message it has begun to read: a client with Nagle on holds its next write until the previous one is ACKed,
     * and a delayed ACK would stall it for the kernel's delayed-ACK timeout (40 ms or more). Only for protocols whose
     * client speaks first and waits for an answer; a tcp listener keeps the kernel's quick ACKs.
     */
    public void deferAcks() throws SyscallException {
        // listen() resets the socket's ACK state, so this comes after it; accepted sockets inherit it.
        SyscallException.check("setsockopt(TCP_QUICKACK)", sys.setIntOption(fd, IPPROTO_TCP(), TCP_QUICKACK(), 0));
    }

    public long acceptedCount() {
        return accepted;
    }

    public long backoffCount() {
        return backoffs;
    }

    @Override
    public void onEvents(int readyEvents) {
        for (int i = 0; i < MAX_ACCEPTS_PER_EVENT && !paused; i++) {
            int client = sys.accept4(fd, peer, SOCK_NONBLOCK() | SOCK_CLOEXEC());
            if (client >= 0) {
                accepted++;
                handler.onAccept(client, peer);
                if (client >= descriptorHighWater) {
                    pausedForDescriptors = true;
                    pauseAccepting("descriptor " + client + " is past the high-water mark " + descriptorHighWater
                            + " of the open-files limit");
                    return;
                }
                if (streakBackoffs > 0) {
                    LOG.log(System.Logger.Level.INFO, "accept on port {0}: accepting again after {1} back-off(s)",
                            Integer.toString(port), Long.toString(streakBackoffs));
                    streakBackoffs = 0;
                }
            } else if (client == -EAGAIN()) {
                return;
            } else if (Errno.isOutOfResources(client)) {
                pauseAccepting(Errno.describe(client));
                return;
            }
            // ECONNABORTED, EPROTO, EPERM (firewall) and friends concern one connection only: keep accepting.
        }
    }

    private void pauseAccepting(String reason) {
        backoffs++;
        if (streakBackoffs++ == 0) {
            LOG.log(System.Logger.Level.WARNING, "accept on port {0}: {1}; pausing accepts, retrying every {2} ms",
                    Integer.toString(port), reason, TimeUnit.NANOSECONDS.toMillis(BACKOFF_NANOS));
        }
        if (!closed) {
            reactor.modify(token, 0);
            backoff.schedule(BACKOFF_NANOS);
        }
    }

    private void resumeAccepting() {
        if (closed || paused) {
            return;
        }
        if (pausedForDescriptors && !descriptorsFreed()) {
            // Accepting one more to find out would take a descriptor of the reserve each time.
            backoffs++;
            streakBackoffs++;
            backoff.schedule(BACKOFF_NANOS);
            return;
        }
        pausedForDescriptors = false;
        reactor.modify(token, EPOLLIN());
    }

    /**
     * Whether the lowest free descriptor is below the high-water mark again, found with a throw-away eventfd (Linux
     * hands out the lowest free number) rather than by accepting a client.
     */
    private boolean descriptorsFreed() {
        int probe = sys.eventfd(0, EFD_CLOEXEC());
        if (probe < 0) {
            return false;
        }
        sys.close(probe);
        return probe < descriptorHighWater;
    }

    /**
     * Stops accepting while the owner is at its connection limit: new clients wait in the kernel's backlog (and
     * time out there if it lasts), which is gentler than accepting and closing them at once.
     */
    public void pause() {
        if (!paused && !closed) {
            paused = true;
            reactor.modify(token, 0);
        }
    }

    /** Accepts again after {@link #pause()}; no effect when not paused. */
    public void resume() {
        if (paused) {
            paused = false;
            if (!backoff.isScheduled()) {
                resumeAccepting();
            }
        }
    }

    /**
     * {@link #resume()} while {@code underLimit}, else {@link #pause()}: for an owner that caps its connections and
     * whose cap or count just moved, in either direction.
     */
    public void acceptWhile(boolean underLimit) {
        if (underLimit) {
            resume();
        } else {
            pause();
        }
    }

    /** Stops accepting and closes the listen socket; connections already accepted are unaffected. */
    public void close() {
        if (!closed) {
            closed = true;
            backoff.cancel();
            reactor.closeRegistered(token);
        }
    }

    @Override
    public void onReactorShutdown() {
        close();
    }
}
