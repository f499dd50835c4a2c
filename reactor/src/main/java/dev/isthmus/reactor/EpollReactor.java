package dev.isthmus.reactor;

import dev.isthmus.bindings.Syscalls;
import dev.isthmus.bindings.SyscallException;
import dev.isthmus.bindings.generated.epoll_event;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayDeque;
import java.util.function.BooleanSupplier;

import static dev.isthmus.bindings.generated.isthmus_sys_h.EFD_CLOEXEC;
import static dev.isthmus.bindings.generated.isthmus_sys_h.EFD_NONBLOCK;
import static dev.isthmus.bindings.generated.isthmus_sys_h.EINTR;
import static dev.isthmus.bindings.generated.isthmus_sys_h.EPOLLIN;
import static dev.isthmus.bindings.generated.isthmus_sys_h.EPOLL_CLOEXEC;
import static dev.isthmus.bindings.generated.isthmus_sys_h.EPOLL_CTL_ADD;
import static dev.isthmus.bindings.generated.isthmus_sys_h.EPOLL_CTL_DEL;
import static dev.isthmus.bindings.generated.isthmus_sys_h.EPOLL_CTL_MOD;

/**
 * One event loop over one epoll fd. Everything but {@link #post} and {@link #inEventLoop} must be called on the thread
 * that constructed it, which owns all its native state (errno capture, buffers, pipes, timers).
 *
 * <p>Registrations are level-triggered, deliberately: a partial {@code splice} or a paused reader is then expressed
 * purely as interest ({@link #modify}), and readiness cannot be lost between a partial transfer and the next wait.
 * Edge-triggered would save the {@code epoll_ctl} that pausing costs, but every handler would have to drain to EAGAIN
 * on both ends of a splice (the reason Netty's {@code spliceTo} refuses ET mode).
 *
 * <p>Each {@link #runOnce} is one duty cycle: wait for events (blocking only when there is nothing else to do), dispatch
 * each ready fd to its {@link EventHandler} by token, run the work handlers {@linkplain #defer deferred} meanwhile,
 * run posted tasks, fire due timers. Tests drive it step by step.
 */
public final class EpollReactor implements Reactor {
    private static final int INITIAL_HANDLERS = 1024;
    private static final long EVENTFD_TOKEN_UNUSED = -1;
    private static final System.Logger LOG = System.getLogger(EpollReactor.class.getName());

    private final String name;
    private final Thread owner;
    private final Arena arena;
    private final Syscalls sys;
    private final int epollFd;
    private final int wakeFd;
    private final MemorySegment events;
    private final int maxEvents;
    private final int maxTasksPerCycle;
    private final HandlerTable handlers = new HandlerTable(INITIAL_HANDLERS);
    private final TaskQueue tasks;
    private final TimerWheel timers;
    private final BufferPool buffers;
    private final PipePool pipes;
    private final MemorySegment wakeDrain;
    /** Handlers {@link #defer}red in this cycle, in order; grows once to the busiest cycle's count, then never. */
    private final ArrayDeque<EventHandler> deferred = new ArrayDeque<>();
    private boolean closed;

    /** Creates a reactor owned by the calling thread. */
    public EpollReactor(String name, ReactorOptions options) throws SyscallException {
        this.name = name;
        this.owner = Thread.currentThread();
        this.arena = Arena.ofConfined();
        this.sys = new Syscalls();
        boolean success = false;
        int epoll = -1;
        int wake = -1;
        try {
            epoll = (int) SyscallException.check("epoll_create1", sys.epollCreate1(EPOLL_CLOEXEC()));
            wake = (int) SyscallException.check("eventfd", sys.eventfd(0, EFD_NONBLOCK() | EFD_CLOEXEC()));
            SyscallException.check("epoll_ctl", sys.epollCtl(epoll, EPOLL_CTL_ADD(), wake, EPOLLIN(), EVENTFD_TOKEN_UNUSED));
            success = true;
        } finally {
            if (!success) {
                if (wake >= 0) {
                    sys.close(wake);
                }
                if (epoll >= 0) {
                    sys.close(epoll);
                }
                sys.close();
                arena.close();
            }
        }
        this.epollFd = epoll;
        this.wakeFd = wake;
        this.maxEvents = options.maxEventsPerWait();
        this.maxTasksPerCycle = options.maxTasksPerCycle();
        this.events = epoll_event.allocateArray(maxEvents, arena);
        this.wakeDrain = arena.allocate(ValueLayout.JAVA_LONG);
        this.tasks = new TaskQueue(wakeFd);
        this.timers = new TimerWheel(System.nanoTime());
        this.buffers = new BufferPool(arena, options.chunkSize(), options.maxChunks());
        this.pipes = new PipePool(sys, options.pipeSize(), options.maxIdlePipes());
    }

    public String name() {
        return name;
    }

    @Override
    public void post(Runnable task) {
        tasks.post(task);
    }

    @Override
    public boolean inEventLoop() {
        return Thread.currentThread() == owner;
    }

    /** This thread's system-call wrappers. */
    public Syscalls syscalls() {
        assert inEventLoop();
        return sys;
    }

    public BufferPool buffers() {
        return buffers;
    }

    public PipePool pipes() {
        return pipes;
    }

    public TimerWheel timers() {
        return timers;
    }

    /** The reactor's notion of now, refreshed once per duty cycle. */
    public long nowNanos() {
        return timers.nowNanos();
    }

    /** The reactor's arena, for native memory that lives as long as the reactor. */
    public Arena arena() {
        return arena;
    }

    public Timer newTimer(TimerHandler handler) {
        return timers.newTimer(handler);
    }

    /**
     * Calls {@code handler.onDeferred()} once the events of this duty cycle have all been dispatched, before the
     * reactor waits again (which it then does without blocking). Work that can wait that long leaves a handler's stack
     * (a chain of pipelined requests answered one from the other would otherwise recurse once per request) and lets
     * the writes it makes go out with the cycle's other writes, just before the reactor sleeps. At most
     * {@code maxTasksPerCycle} run per cycle, in the order deferred; the rest, and what they defer, in the next.
     */
    public void defer(EventHandler handler) {
        assert inEventLoop();
        deferred.addLast(handler);
    }

    /** Registers {@code fd} with an interest mask; returns the token to modify or remove it with. */
    public long register(int fd, int interest, EventHandler handler) throws SyscallException {
        assert inEventLoop();
        long token = handlers.add(fd, handler);
        int r = sys.epollCtl(epollFd, EPOLL_CTL_ADD(), fd, interest, token);
        if (r < 0) {
            handlers.remove(token);
            throw new SyscallException("epoll_ctl(ADD)", r);
        }
        return token;
    }

    /** Changes the interest mask of a registration; returns 0 or {@code -errno}. */
    public int modify(long token, int interest) {
        assert inEventLoop();
        return sys.epollCtl(epollFd, EPOLL_CTL_MOD(), handlers.fd(token), interest, token);
    }

    /**
     * Forgets a registration without closing its fd. When the caller closes the fd right after, prefer
     * {@link #closeRegistered}: closing removes it from epoll without the extra syscall.
     */
    public void unregister(long token) {
        assert inEventLoop();
        if (handlers.contains(token)) {
            sys.epollCtl(epollFd, EPOLL_CTL_DEL(), handlers.fd(token), 0, 0);
            handlers.remove(token);
        }
    }

    /** Forgets a registration and closes its fd (the kernel drops it from the epoll set as the last reference goes). */
    public void closeRegistered(long token) {
        assert inEventLoop();
        if (handlers.contains(token)) {
            int fd = handlers.fd(token);
            handlers.remove(token);
            sys.close(fd);
        }
    }

    public int registrationCount() {
        return handlers.size();
    }

    /**
     * One duty cycle. Blocks in {@code epoll_wait} up to {@code maxWaitMillis} (-1: until an event, task or timer) only
     * when no task is pending; returns the amount of work done (events + tasks + timers).
     */
    public int runOnce(int maxWaitMillis) {
        assert inEventLoop();
        int timeout = maxWaitMillis;
        int timerWait = timers.millisUntilNextDeadline();
        if (timerWait >= 0 && (timeout < 0 || timerWait < timeout)) {
            timeout = timerWait;
        }
        boolean sleeping = timeout != 0 && deferred.isEmpty() && tasks.prepareToSleep();
        int ready = sys.epollWait(epollFd, events, maxEvents, sleeping ? timeout : 0);
        if (sleeping) {
            tasks.awake();
        }
        timers.expire(System.nanoTime());
        int work = 0;
        if (ready > 0) {
            work += dispatch(ready);
        } else if (ready < 0 && ready != -EINTR()) {
            throw new IllegalStateException(name + ": " + new SyscallException("epoll_wait", ready).getMessage());
        }
        work += runDeferred();
        work += tasks.runPending(maxTasksPerCycle);
        work += timers.expire(System.nanoTime());
        return work;
    }

    private int runDeferred() {
        int ran = 0;
        while (ran < maxTasksPerCycle && !deferred.isEmpty()) {
            EventHandler handler = deferred.pollFirst();
            ran++;
            try {
                handler.onDeferred();
            } catch (RuntimeException | LinkageError | AssertionError e) {
                release(handler, e);
            }
        }
        return ran;
    }

    private int dispatch(int ready) {
        for (int i = 0; i < ready; i++) {
            long offset = (long) i * epoll_event.sizeof();
            int readyEvents = events.get(ValueLayout.JAVA_INT_UNALIGNED, offset + epoll_event.events$offset());
            long token = events.get(ValueLayout.JAVA_LONG_UNALIGNED, offset + epoll_event.data$offset());
            if (token == EVENTFD_TOKEN_UNUSED) {
                sys.read(wakeFd, wakeDrain.address(), Long.BYTES);
                continue;
            }
            EventHandler handler = handlers.handler(token);
            if (handler != null) {
                deliver(handler, readyEvents);
            }
        }
        return ready;
    }

    private void deliver(EventHandler handler, int readyEvents) {
        try {
            handler.onEvents(readyEvents);
        } catch (RuntimeException | LinkageError | AssertionError e) {
            // LinkageError too: a class whose initialisation failed once (say, under EMFILE) fails every later use,
            // and must cost the connection that met it, not the reactor.
            release(handler, e);
        }
    }

    private void release(EventHandler handler, Throwable failure) {
        LOG.log(System.Logger.Level.ERROR, name + ": event handler failed; releasing it", failure);
        try {
            handler.onFailure(failure);
        } catch (RuntimeException | LinkageError | AssertionError again) {
            LOG.log(System.Logger.Level.ERROR, name + ": releasing a failed handler failed too", again);
        }
    }

    /** Runs duty cycles until {@code stopRequested} says stop; the loop of a reactor thread. */
    public void runUntil(BooleanSupplier stopRequested) {
        while (!stopRequested.getAsBoolean()) {
            runOnce(-1);
        }
    }

    /**
     * Shuts down: every handler still registered is told to release its fd, then pending tasks run once more, then the
     * reactor's own fds, pipes and memory are released. Safe to call twice; reactor thread only.
     */
    public void close() {
        assert inEventLoop();
        if (closed) {
            return;
        }
        closed = true;
        for (EventHandler handler : handlers.liveHandlers()) {
            handler.onReactorShutdown();
        }
        deferred.clear();
        tasks.runPending(Integer.MAX_VALUE);
        pipes.closeAll();
        sys.close(wakeFd);
        sys.close(epollFd);
        sys.close();
        arena.close();
    }
}
