package dev.isthmus.bindings;

import dev.isthmus.bindings.generated.epoll_event;
import dev.isthmus.bindings.generated.linger;
import dev.isthmus.bindings.generated.rlimit;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

import static dev.isthmus.bindings.generated.isthmus_sys_h.EINTR;
import static dev.isthmus.bindings.generated.isthmus_sys_h.EPOLL_CTL_DEL;
import static dev.isthmus.bindings.generated.isthmus_sys_h.F_GETPIPE_SZ;
import static dev.isthmus.bindings.generated.isthmus_sys_h.F_SETPIPE_SZ;
import static dev.isthmus.bindings.generated.isthmus_sys_h.RLIMIT_NOFILE;
import static dev.isthmus.bindings.generated.isthmus_sys_h.SOL_SOCKET;
import static dev.isthmus.bindings.generated.isthmus_sys_h.SO_LINGER;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The one FFM boundary of isthmus: a thin, allocation-free wrapper per Linux system call. Confined to the thread that
 * created it: each instance owns the errno capture segment and small scratch structs its calls use, so every reactor
 * thread creates its own (a capture segment shared between threads would let one thread read another's errno).
 *
 * <p>Every wrapper returns {@code n >= 0} on success or {@code -errno} on failure: EAGAIN and EINTR are ordinary values
 * on the hot path, never exceptions. {@link SyscallException#check} turns a result into an exception where a failure
 * is fatal to the operation.
 *
 * <p>Buffers are passed as raw native addresses ({@code segment.address() + offset}) so that reading into the middle of a
 * chunk creates no slice object; callers bound-check against their segment before calling. Pointer arguments declared
 * {@code JAVA_LONG} are ABI-identical to pointers on x86-64 and aarch64 Linux. Short calls that cannot block on a
 * non-blocking fd are linked {@code critical} (no thread-state transition); calls that may block ({@code epoll_wait},
 * {@code close} with lingering sockets, {@code connect} on blocking fds in tests) are not.
 */
public final class Syscalls {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final MemoryLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");
    private static final Linker.Option CRITICAL = Linker.Option.critical(false);

    private static final MethodHandle SOCKET = blocking("socket", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle SOCKETPAIR = blocking("socketpair", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS);
    private static final MethodHandle BIND = blocking("bind", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle LISTEN = blocking("listen", JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle ACCEPT4 = critical("accept4", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT);
    private static final MethodHandle CONNECT = blocking("connect", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle GETSOCKOPT = critical("getsockopt", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle SETSOCKOPT = critical("setsockopt", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle GETSOCKNAME = critical("getsockname", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle GETPEERNAME = critical("getpeername", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle SHUTDOWN = critical("shutdown", JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle CLOSE = blocking("close", JAVA_INT, JAVA_INT);
    private static final MethodHandle READ = critical("read", JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle WRITE = critical("write", JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle RECV = critical("recv", JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT);
    private static final MethodHandle SEND = critical("send", JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT);
    private static final MethodHandle READV = critical("readv", JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT);
    private static final MethodHandle WRITEV = critical("writev", JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT);
    private static final MethodHandle PIPE2 = critical("pipe2", JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle SPLICE =
            critical("splice", JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT);
    private static final MethodHandle FCNTL = LINKER.downcallHandle(
            LIBC.find("fcntl").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
            Linker.Option.firstVariadicArg(2), CAPTURE_ERRNO, CRITICAL);
    private static final MethodHandle EPOLL_CREATE1 = blocking("epoll_create1", JAVA_INT, JAVA_INT);
    private static final MethodHandle EPOLL_CTL = critical("epoll_ctl", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS);
    private static final MethodHandle EPOLL_WAIT = blocking("epoll_wait", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
    private static final MethodHandle EVENTFD = blocking("eventfd", JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle SCHED_SETAFFINITY = blocking("sched_setaffinity", JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS);
    private static final MethodHandle SCHED_GETAFFINITY = blocking("sched_getaffinity", JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS);
    private static final MethodHandle GETRLIMIT = blocking("getrlimit", JAVA_INT, JAVA_INT, ADDRESS);
    private static final MethodHandle SETRLIMIT = blocking("setrlimit", JAVA_INT, JAVA_INT, ADDRESS);
    private static final MethodHandle INET_PTON = blocking("inet_pton", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);

    /**
     * {@code write(2)} without errno capture, for {@link #signalEventfd} which any thread may call: the only failure of
     * an eventfd write is EAGAIN at a counter of 2^64-2, which a wakeup signal cannot reach.
     */
    private static final MethodHandle WRITE_UNCAPTURED = LINKER.downcallHandle(LIBC.find("write").orElseThrow(),
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG), CRITICAL);
    private static final MemorySegment EVENTFD_INCREMENT = Arena.global().allocateFrom(JAVA_LONG, 1L);

    private static final long CPU_SET_BYTES = 128;
    private static final long SCRATCH_BYTES = 64;

    private final Arena arena;
    private final MemorySegment errnoState;
    private final MemorySegment scratch;
    private final MemorySegment scratchLength;
    private final MemorySegment epollEvent;

    /** Creates the wrappers for the calling thread; its small native state lives until {@link #close()}. */
    public Syscalls() {
        NativeAccess.requireEnabled();
        this.arena = Arena.ofConfined();
        this.errnoState = arena.allocate(CAPTURE_LAYOUT);
        this.scratch = arena.allocate(SCRATCH_BYTES, Long.BYTES);
        this.scratchLength = arena.allocate(JAVA_INT);
        this.epollEvent = epoll_event.allocate(arena);
    }

    private static MethodHandle critical(String name, MemoryLayout result, MemoryLayout... arguments) {
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(),
                FunctionDescriptor.of(result, arguments), CAPTURE_ERRNO, CRITICAL);
    }

    private static MethodHandle blocking(String name, MemoryLayout result, MemoryLayout... arguments) {
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(),
                FunctionDescriptor.of(result, arguments), CAPTURE_ERRNO);
    }

    private int errno() {
        return (int) ERRNO.get(errnoState, 0L);
    }

    private int result(int value) {
        return value >= 0 ? value : -errno();
    }

    private long result(long value) {
        return value >= 0 ? value : -errno();
    }

    private static AssertionError linkageFailure(Throwable t) {
        return new AssertionError("native call failed to link or invoke", t);
    }

    public int socket(int domain, int type, int protocol) {
        try {
            return result((int) SOCKET.invokeExact(errnoState, domain, type, protocol));
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    /** {@code socketpair(2)}: on success {@code fds[0]} and {@code fds[1]} hold the two ends. */
    public int socketpair(int domain, int type, int protocol, int[] fds) {
        try {
            int r = result((int) SOCKETPAIR.invokeExact(errnoState, domain, type, protocol, scratch));
            if (r == 0) {
                fds[0] = scratch.get(JAVA_INT, 0);
                fds[1] = scratch.get(JAVA_INT, Integer.BYTES);
            }
            return r;
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    public int bind(int fd, MemorySegment address, int addressLength) {
        try {
            return result((int) BIND.invokeExact(errnoState, fd, address, addressLength));
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    public int listen(int fd, int backlog) {
        try {
            return result((int) LISTEN.invokeExact(errnoState, fd, backlog));
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    /**
     * {@code accept4(2)}. When {@code peer} is not {@link MemorySegment#NULL} the peer address is written into it and
     * its length is available from {@link #lastAddressLength()}.
     */
    public int accept4(int fd, MemorySegment peer, int flags) {
        try {
            if (peer.equals(MemorySegment.NULL)) {
                return result((int) ACCEPT4.invokeExact(errnoState, fd, MemorySegment.NULL, MemorySegment.NULL, flags));
            }
            scratchLength.set(JAVA_INT, 0, (int) peer.byteSize());
            return result((int) ACCEPT4.invokeExact(errnoState, fd, peer, scratchLength, flags));
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    /** The address length the kernel reported in the last {@link #accept4}, {@link #getsockname} or {@link #getpeername}. */
    public int lastAddressLength() {
        return scratchLength.get(JAVA_INT, 0);
    }

    public int connect(int fd, MemorySegment address, int addressLength) {
        try {
            return result((int) CONNECT.invokeExact(errnoState, fd, address, addressLength));
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    public int setIntOption(int fd, int level, int option, int value) {
        try {
            scratch.set(JAVA_INT, 0, value);
            return result((int) SETSOCKOPT.invokeExact(errnoState, fd, level, option, scratch, Integer.BYTES));
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    /**
     * {@code SO_LINGER} on with a zero timeout: the next {@code close} resets the connection (RST) instead of ending it
     * with a FIN, so the peer can tell an aborted stream from a complete one. 0 or {@code -errno}.
     */
    public int resetOnClose(int fd) {
        try {
            linger.l_onoff(scratch, 1);
            linger.l_linger(scratch, 0);
            return result((int) SETSOCKOPT.invokeExact(errnoState, fd, SOL_SOCKET(), SO_LINGER(), scratch,
                    (int) linger.sizeof()));
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    /** An int-valued socket option (SO_ERROR, SO_RCVBUF, ...): its value, or {@code -errno}. */
    public int getIntOption(int fd, int level, int option) {
        try {
            scratchLength.set(JAVA_INT, 0, Integer.BYTES);
            int r = result((int) GETSOCKOPT.invokeExact(errnoState, fd, level, option, scratch, scratchLength));
            return r < 0 ? r : scratch.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    public int getsockname(int fd, MemorySegment address) {
        try {
            scratchLength.set(JAVA_INT, 0, (int) address.byteSize());
            return result((int) GETSOCKNAME.invokeExact(errnoState, fd, address, scratchLength));
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    public int getpeername(int fd, MemorySegment address) {
        try {
            scratchLength.set(JAVA_INT, 0, (int) address.byteSize());
            return result((int) GETPEERNAME.invokeExact(errnoState, fd, address, scratchLength));
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    public int shutdown(int fd, int how) {
        try {
            return result((int) SHUTDOWN.invokeExact(errnoState, fd, how));
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    /** {@code close(2)}. EINTR still releases the descriptor on Linux, so it is reported as success. */
    public int close(int fd) {
        try {
            int r = result((int) CLOSE.invokeExact(errnoState, fd));
            return r == -EINTR() ? 0 : r;
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    public long read(int fd, long address, long count) {
        try {
            return result((long) READ.invokeExact(errnoState, fd, address, count));
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    public long write(int fd, long address, long count) {
        try {
            return result((long) WRITE.invokeExact(errnoState, fd, address, count));
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    /**
     * {@code recv(2)}: {@code read} for sockets, minus the VFS layer {@code read} passes through first (file position,
     * {@code rw_verify_area}, fsnotify); what the proxy reads every socket with.
     */
    public long recv(int fd, long address, long count, int flags) {
        try {
            return result((long) RECV.invokeExact(errnoState, fd, address, count, flags));
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    /**
     * {@code send(2)}: {@code write} for sockets without the VFS layer; with {@code MSG_NOSIGNAL} a peer that is gone
     * is {@code -EPIPE}, never a SIGPIPE.
     */
    public long send(int fd, long address, long count, int flags) {
        try {
            return result((long) SEND.invokeExact(errnoState, fd, address, count, flags));
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    /** {@code readv(2)} over {@code count} {@code struct iovec} starting at native address {@code iov}. */
    public long readv(int fd, long iov, int count) {
        try {
            return result((long) READV.invokeExact(errnoState, fd, iov, count));
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    /** {@code writev(2)} over {@code count} {@code struct iovec} starting at native address {@code iov}. */
    public long writev(int fd, long iov, int count) {
        try {
            return result((long) WRITEV.invokeExact(errnoState, fd, iov, count));
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    /** {@code pipe2(2)}: on success {@code fds[0]} is the read end and {@code fds[1]} the write end. */
    public int pipe2(int[] fds, int flags) {
        try {
            int r = result((int) PIPE2.invokeExact(errnoState, scratch, flags));
            if (r == 0) {
                fds[0] = scratch.get(JAVA_INT, 0);
                fds[1] = scratch.get(JAVA_INT, Integer.BYTES);
            }
            return r;
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    /** {@code splice(2)} between two fds at their current positions (both offsets NULL, as for sockets and pipes). */
    public long splice(int fdIn, int fdOut, long length, int flags) {
        try {
            return result((long) SPLICE.invokeExact(errnoState, fdIn, 0L, fdOut, 0L, length, flags));
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    /** {@code fcntl(2)} with one int argument (F_SETPIPE_SZ, F_SETFL, ...). */
    public int fcntl(int fd, int command, int argument) {
        try {
            return result((int) FCNTL.invokeExact(errnoState, fd, command, argument));
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    /** Sets a pipe's capacity; returns the capacity the kernel granted (rounded up to pages) or {@code -errno}. */
    public int setPipeSize(int pipeFd, int bytes) {
        return fcntl(pipeFd, F_SETPIPE_SZ(), bytes);
    }

    /** A pipe's capacity in bytes, or {@code -errno}. */
    public int pipeSize(int pipeFd) {
        return fcntl(pipeFd, F_GETPIPE_SZ(), 0);
    }

    public int epollCreate1(int flags) {
        try {
            return result((int) EPOLL_CREATE1.invokeExact(errnoState, flags));
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    /** {@code epoll_ctl(2)} with the event mask and the 64-bit user data (the reactor's token for {@code fd}). */
    public int epollCtl(int epollFd, int operation, int fd, int events, long data) {
        try {
            if (operation == EPOLL_CTL_DEL()) {
                return result((int) EPOLL_CTL.invokeExact(errnoState, epollFd, operation, fd, MemorySegment.NULL));
            }
            epoll_event.events(epollEvent, events);
            epoll_event.data(epollEvent, data);
            return result((int) EPOLL_CTL.invokeExact(errnoState, epollFd, operation, fd, epollEvent));
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    /** {@code epoll_wait(2)} into an array of {@code epoll_event}; blocks up to {@code timeoutMillis} (-1: forever). */
    public int epollWait(int epollFd, MemorySegment events, int maxEvents, int timeoutMillis) {
        try {
            return result((int) EPOLL_WAIT.invokeExact(errnoState, epollFd, events, maxEvents, timeoutMillis));
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    public int eventfd(int initialValue, int flags) {
        try {
            return result((int) EVENTFD.invokeExact(errnoState, initialValue, flags));
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    /** Pins the calling thread to one CPU. */
    public int pinCurrentThread(int cpu) {
        if (cpu < 0 || cpu >= CPU_SET_BYTES * Byte.SIZE) {
            throw new IllegalArgumentException("cpu out of range: " + cpu);
        }
        try (Arena temporary = Arena.ofConfined()) {
            MemorySegment mask = temporary.allocate(CPU_SET_BYTES, Long.BYTES);
            mask.set(ValueLayout.JAVA_BYTE, cpu / Byte.SIZE, (byte) (1 << (cpu % Byte.SIZE)));
            return result((int) SCHED_SETAFFINITY.invokeExact(errnoState, 0, CPU_SET_BYTES, mask));
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    /**
     * The CPUs the calling thread may run on ({@code sched_getaffinity(2)}), in ascending order: what {@code taskset}
     * or a cpuset left it, which {@link #pinCurrentThread} should choose from.
     */
    public int[] allowedCpus() throws SyscallException {
        try (Arena temporary = Arena.ofConfined()) {
            MemorySegment mask = temporary.allocate(CPU_SET_BYTES, Long.BYTES);
            SyscallException.check("sched_getaffinity",
                    result((int) SCHED_GETAFFINITY.invokeExact(errnoState, 0, CPU_SET_BYTES, mask)));
            int[] cpus = new int[(int) (CPU_SET_BYTES * Byte.SIZE)];
            int count = 0;
            for (int cpu = 0; cpu < cpus.length; cpu++) {
                if ((mask.get(ValueLayout.JAVA_BYTE, cpu / Byte.SIZE) & (1 << (cpu % Byte.SIZE))) != 0) {
                    cpus[count++] = cpu;
                }
            }
            return Arrays.copyOf(cpus, count);
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    /** The soft RLIMIT_NOFILE, or {@code -errno}. */
    public long openFilesSoftLimit() {
        try {
            int r = result((int) GETRLIMIT.invokeExact(errnoState, RLIMIT_NOFILE(), scratch));
            return r < 0 ? r : rlimit.rlim_cur(scratch);
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    /** Raises the soft RLIMIT_NOFILE towards {@code wanted}, capped by the hard limit; returns the new soft limit. */
    public long raiseOpenFilesLimit(long wanted) {
        try {
            int r = result((int) GETRLIMIT.invokeExact(errnoState, RLIMIT_NOFILE(), scratch));
            if (r < 0) {
                return r;
            }
            long soft = rlimit.rlim_cur(scratch);
            long hard = rlimit.rlim_max(scratch);
            long target = Math.min(Math.max(soft, wanted), hard);
            if (target == soft) {
                return soft;
            }
            rlimit.rlim_cur(scratch, target);
            r = result((int) SETRLIMIT.invokeExact(errnoState, RLIMIT_NOFILE(), scratch));
            return r < 0 ? r : target;
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    /** {@code inet_pton(3)}: 1 when {@code text} parsed into {@code destination}, 0 when it is not an address. */
    public int inetPton(int family, String text, MemorySegment destination) {
        try (Arena temporary = Arena.ofConfined()) {
            return result((int) INET_PTON.invokeExact(errnoState, family, temporary.allocateFrom(text), destination));
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    /**
     * Adds one to an eventfd's counter, waking whoever waits on it. Safe from any thread: it touches no per-thread
     * state and the increment it writes is a read-only global.
     */
    public static void signalEventfd(int eventFd) {
        try {
            long ignored = (long) WRITE_UNCAPTURED.invokeExact(eventFd, EVENTFD_INCREMENT.address(), (long) Long.BYTES);
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    /** Releases this thread's native state. */
    public void close() {
        arena.close();
    }
}
