package dev.isthmus.reactor;

import dev.isthmus.bindings.Syscalls;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * N reactor threads (default: one per available processor), each optionally pinned to a core. Created and shut down
 * from any thread; each reactor's state is touched only by its own thread, reached through {@link EpollReactor#post}.
 */
public final class ReactorGroup implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ReactorGroup.class.getName());

    private final List<EpollReactor> reactors;
    private final List<Thread> threads;
    private volatile boolean stopping;

    private ReactorGroup(int count) {
        this.reactors = new ArrayList<>(count);
        this.threads = new ArrayList<>(count);
    }

    /** Starts {@code count} reactors; returns once every one of them is constructed and looping. */
    public static ReactorGroup start(String namePrefix, int count, ReactorOptions options, boolean pinToCores)
            throws InterruptedException {
        ReactorGroup group = new ReactorGroup(count);
        int cpus = Runtime.getRuntime().availableProcessors();
        List<CompletableFuture<EpollReactor>> started = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int index = i;
            CompletableFuture<EpollReactor> ready = new CompletableFuture<>();
            started.add(ready);
            String name = namePrefix + "-" + i;
            group.threads.add(Thread.ofPlatform().name(name).start(
                    () -> group.runReactor(name, options, pinToCores ? index % cpus : -1, ready)));
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

    private void runReactor(String name, ReactorOptions options, int cpu, CompletableFuture<EpollReactor> ready) {
        EpollReactor reactor;
        try {
            reactor = new EpollReactor(name, options);
        } catch (Throwable t) {
            ready.completeExceptionally(t);
            return;
        }
        try {
            if (cpu >= 0) {
                pin(reactor.syscalls(), cpu, name);
            }
            ready.complete(reactor);
            reactor.runUntil(() -> stopping);
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.ERROR, name + " stopped by an unexpected failure", t);
        } finally {
            reactor.close();
        }
    }

    private static void pin(Syscalls sys, int cpu, String name) {
        int r = sys.pinCurrentThread(cpu);
        if (r < 0) {
            LOG.log(System.Logger.Level.WARNING, "{0}: could not pin to cpu {1}: errno {2}", name, cpu, -r);
        }
    }

    public int size() {
        return reactors.size();
    }

    public EpollReactor get(int index) {
        return reactors.get(index);
    }

    /** Runs {@code task} on every reactor and waits for all to finish it; rethrows the first failure. */
    public void onEach(Consumer<EpollReactor> task, Duration timeout) throws Exception {
        List<CompletableFuture<Void>> done = new ArrayList<>(reactors.size());
        for (EpollReactor reactor : reactors) {
            CompletableFuture<Void> result = new CompletableFuture<>();
            done.add(result);
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
