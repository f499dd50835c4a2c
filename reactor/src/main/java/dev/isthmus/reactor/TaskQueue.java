package dev.isthmus.reactor;

import dev.isthmus.bindings.Syscalls;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.MpscUnboundedXaddArrayQueue;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Hands work to a reactor from any thread: a JCTools MPSC queue plus an eventfd (Envoy's {@code Dispatcher::post}).
 * Producers: any thread. Consumer: the reactor thread only.
 *
 * <p>The eventfd is written only on the sleeping-to-awake transition. The reactor publishes {@code SLEEPING} (volatile)
 * before it re-checks the queue and blocks in {@code epoll_wait}; a producer offers first, then swaps in {@code AWAKE}:
 * whichever order the two race in, either the reactor sees the task on its re-check or the producer sees
 * {@code SLEEPING} and signals. An extra signal only costs one spurious wakeup.
 */
final class TaskQueue {
    private static final int AWAKE = 0;
    private static final int SLEEPING = 1;
    private static final int CHUNK_SIZE = 1024;
    private static final VarHandle WAKE_STATE;

    static {
        try {
            WAKE_STATE = MethodHandles.lookup().findVarHandle(TaskQueue.class, "wakeState", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final System.Logger LOG = System.getLogger(TaskQueue.class.getName());
    /** A failing task is logged and dropped; it must not stop the reactor. */
    private static final MessagePassingQueue.Consumer<Runnable> RUN = task -> {
        try {
            task.run();
        } catch (RuntimeException | LinkageError | AssertionError e) {
            LOG.log(System.Logger.Level.ERROR, "posted task failed", e);
        }
    };

    private final MessagePassingQueue<Runnable> tasks = new MpscUnboundedXaddArrayQueue<>(CHUNK_SIZE);
    private final int eventFd;
    @SuppressWarnings("unused") // accessed through WAKE_STATE
    private volatile int wakeState = AWAKE;

    TaskQueue(int eventFd) {
        this.eventFd = eventFd;
    }

    /** Any thread. */
    void post(Runnable task) {
        tasks.offer(task);
        if ((int) WAKE_STATE.getAndSet(this, AWAKE) == SLEEPING) {
            Syscalls.signalEventfd(eventFd);
        }
    }

    /** Reactor thread: announce an intent to block; returns false (and stays awake) when tasks are already waiting. */
    boolean prepareToSleep() {
        WAKE_STATE.setVolatile(this, SLEEPING);
        if (!tasks.isEmpty()) {
            WAKE_STATE.setOpaque(this, AWAKE);
            return false;
        }
        return true;
    }

    /** Reactor thread, after {@code epoll_wait} returned. */
    void awake() {
        WAKE_STATE.setOpaque(this, AWAKE);
    }

    /** Reactor thread: runs up to {@code limit} tasks; returns how many ran. */
    int runPending(int limit) {
        return tasks.drain(RUN, limit);
    }

    boolean isEmpty() {
        return tasks.isEmpty();
    }
}
