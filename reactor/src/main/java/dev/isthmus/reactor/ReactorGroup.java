package dev.isthmus.reactor;

import dev.isthmus.bindings.Errno;
import dev.isthmus.bindings.SyscallException;
import dev.isthmus.bindings.Syscalls;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.Consumer;

/**
 * N reactor threads (default: one per available processor), each optionally pinned to a core: reactor i to the i-th
 * of the CPUs the starting thread may run on (so a {@code taskset} or cpuset around the process is kept), round robin
 * when there are more reactors than CPUs. Created and shut down from any thread; each reactor's state is touched only
 * by its own thread, reached through {@link EpollReactor#post}.
 */
public final class ReactorGroup implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ReactorGroup.class.getName());

    private static final int NOT_PINNED = -1;

    private final List<EpollReactor> reactors;
    private final List<Thread> threads;
    private final int[] cpus;
    private final CompletableFuture<String> unexpectedStop = new CompletableFuture<>();
    /** 1 at the index of a reactor that stopped by {@link #unexpectedStop}, set before that completes. */
    private final AtomicIntegerArray lost;
    private volatile boolean stopping;

    private ReactorGroup(int count) {
        this.reactors = new ArrayList<>(count);
        this.threads = new ArrayList<>(count);
        this.cpus = new int[count];
        this.lost = new AtomicIntegerArray(count);
        Arrays.fill(cpus, NOT_PINNED);
    }

    /**
     * Starts {@code count} reactors; returns once every one of them is constructed and looping. With
     * {@code pinToCores}, fails when the CPUs allowed to the calling thread cannot be read.
     */
    public static ReactorGroup start(String namePrefix, int count, ReactorOptions options, boolean pinToCores)
            throws InterruptedException, SyscallException {
        ReactorGroup group = new ReactorGroup(count);
        if (pinToCores) {
            int[] allowed = allowedCpus();
            for (int i = 0; i < count; i++) {
                group.cpus[i] = allowed[i % allowed.length];
            }
        }
        List<CompletableFuture<EpollReactor>> started = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            CompletableFuture<EpollReactor> ready = new CompletableFuture<>();
            started.add(ready);
            String name = namePrefix + "-" + i;
            int index = i;
            group.threads.add(Thread.ofPlatform().name(name).start(
                    () -> group.runReactor(name, options, index, ready)));
        }
        try {
            for (CompletableFuture<EpollReactor> ready : started) {
                group.reactors.add(ready.get());
            }
        } catch (ExecutionException e) {
            group.close();
            throw new IllegalStateException("reactor failed to start: " + e.getCause().getMessage(), e.getCause());
        }
        return group;
    }

    private static int[] allowedCpus() throws SyscallException {
        Syscalls sys = new Syscalls();
        try {
            return sys.allowedCpus();
        } finally {
            sys.close();
        }
    }

    private void runReactor(String name, ReactorOptions options, int index, CompletableFuture<EpollReactor> ready) {
        Throwable failure = null;
        EpollReactor reactor;
        try {
            reactor = new EpollReactor(name, options);
        } catch (Throwable t) {
            ready.completeExceptionally(t);
            return;
        }
        try {
            if (cpus[index] != NOT_PINNED && !pin(reactor.syscalls(), cpus[index], name)) {
                cpus[index] = NOT_PINNED;
            }
            // Published by the future: start() reads cpus only after every reactor is ready.
            ready.complete(reactor);
            reactor.runUntil(() -> stopping);
        } catch (Throwable t) {
            failure = t;
            LOG.log(System.Logger.Level.ERROR, name + " stopped by an unexpected failure", t);
        } finally {
            reactor.close();
        }
        if (failure != null) {
            lost.set(index, 1);
            unexpectedStop.complete(name + " stopped by an unexpected failure: " + failure);
        }
    }

    /**
     * Completes, saying which reactor and why, once a reactor has stopped other than by {@link #shutdown}: an error
     * no handler could contain ended its thread, and closed every connection it held. The other reactors go on; the
     * owner decides whether the process should (a proxy short of a worker should rather exit and be restarted).
     */
    public CompletableFuture<String> unexpectedStop() {
        return unexpectedStop;
    }

    /** False, with a warning, when the kernel refused: the reactor then runs wherever the scheduler puts it. */
    private static boolean pin(Syscalls sys, int cpu, String name) {
        int r = sys.pinCurrentThread(cpu);
        if (r < 0) {
            LOG.log(System.Logger.Level.WARNING, "{0}: could not pin to cpu {1}: {2}", name, cpu, Errno.describe(r));
        }
        return r == 0;
    }

    public int size() {
        return reactors.size();
    }

    /** The CPU reactor {@code index} was pinned to, or -1 when the group does not pin. */
    public int pinnedCpu(int index) {
        return cpus[index];
    }

    public EpollReactor get(int index) {
        return reactors.get(index);
    }

    /**
     * Runs {@code task} on every reactor and waits for all to finish it; rethrows the first failure. A reactor that
     * has {@linkplain #unexpectedStop stopped} is skipped: it holds nothing any more.
     */
    public void onEach(Consumer<EpollReactor> task, Duration timeout) throws Exception {
        List<CompletableFuture<Void>> done = new ArrayList<>(reactors.size());
        for (int i = 0; i < reactors.size(); i++) {
            EpollReactor reactor = reactors.get(i);
            CompletableFuture<Void> result = new CompletableFuture<>();
            done.add(result);
            if (lost.get(i) == 1) {
                result.complete(null);
                continue;
            }
            reactor.post(() -> {
                try {
                    task.accept(reactor);
                    result.complete(null);
                } catch (Throwable t) {
                    result.completeExceptionally(t);
                }
            });
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        for (CompletableFuture<Void> result : done) {
            try {
                result.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof Exception cause ? cause : e;
            } catch (TimeoutException e) {
                throw new TimeoutException("reactor task did not finish within " + timeout);
            }
        }
    }

    /**
     * Stops every loop; each reactor closes whatever is still registered on it (every fd it opened) before its thread
     * ends. Waits up to {@code timeout}; returns false when a thread did not finish in time. Safe to call twice.
     */
    public boolean shutdown(Duration timeout) throws InterruptedException {
        stopping = true;
        for (EpollReactor reactor : reactors) {
            reactor.post(() -> { });
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean all = true;
        for (Thread thread : threads) {
            long remaining = deadline - System.nanoTime();
            if (remaining > 0) {
                thread.join(Duration.ofNanos(remaining));
            }
            all &= !thread.isAlive();
        }
        return all;
    }

    @Override
    public void close() throws InterruptedException {
        shutdown(Duration.ofSeconds(10));
    }
}
