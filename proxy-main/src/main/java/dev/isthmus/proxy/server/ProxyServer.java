package dev.isthmus.proxy.server;

import dev.isthmus.proxy.admin.AdminServer;
import dev.isthmus.proxy.config.AdminConfig;
import dev.isthmus.proxy.config.ClusterConfig;
import dev.isthmus.proxy.config.ConfigError;
import dev.isthmus.proxy.config.ConfigException;
import dev.isthmus.proxy.config.ConfigSource;
import dev.isthmus.proxy.config.ListenerConfig;
import dev.isthmus.proxy.config.ProxyConfig;
import dev.isthmus.reactor.ReactorGroup;
import dev.isthmus.reactor.ReactorOptions;
import sun.misc.Signal;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The running proxy: a {@link ReactorGroup} with every configured listener open on every reactor. Started and stopped
 * from the main thread; everything it owns on a reactor is touched only through that reactor's task queue.
 */
public final class ProxyServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ProxyServer.class.getName());
    private static final Duration REACTOR_TASK_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration DRAIN_POLL = Duration.ofMillis(20);
    private static final long WANTED_OPEN_FILES = 1 << 20;
    /** How long {@code /stats} waits for every reactor's part before it answers 503. */
    private static final Duration STATS_TIMEOUT = Duration.ofSeconds(2);

    private final ReactorGroup group;
    /** The config being served; replaced by {@link #reload}, which the main and signal threads serialize on this. */
    private ProxyConfig running;
    /** The running config's clusters, read by the admin thread for {@code /stats}. */
    private volatile List<ClusterConfig> clusters;
    /** Written under this object's lock (start, reload), iterated by the admin thread too. */
    private final List<ListenerRuntime> listeners = new CopyOnWriteArrayList<>();
    /** Listeners a reload removed, draining in the background until their connections are done. */
    private final Set<ListenerRuntime> retiring = ConcurrentHashMap.newKeySet();
    private final long startNanos = System.nanoTime();
    private AdminServer admin;
    /** Set by the main thread when a drain begins, read by the admin thread. */
    private volatile boolean draining;
    /** Reloads by {@link ReloadOutcome}, read by the admin thread. */
    private final AtomicLongArray reloads = new AtomicLongArray(ReloadOutcome.values().length);

    private ProxyServer(ReactorGroup group, ProxyConfig config) {
        this.group = group;
        this.running = config;
        this.clusters = config.clusters();
    }

    /**
     * Starts the proxy and blocks until SIGTERM or SIGINT, then drains; returns the process exit code. SIGHUP reads
     * {@code source} again and reloads it (see {@link #reload}); a proxy started from flags has no source.
     */
    public static int run(ProxyConfig config, Optional<ConfigSource> source) {
        CountDownLatch stopSignal = new CountDownLatch(1);
        Signal.handle(new Signal("TERM"), signal -> stopSignal.countDown());
        Signal.handle(new Signal("INT"), signal -> stopSignal.countDown());
        ProxyServer server;
        try {
            server = start(config);
        } catch (Exception e) {
            System.err.println("isthmus: failed to start: " + e.getMessage());
            return 1;
        }
        Signal.handle(new Signal("USR1"), signal -> server.reopenAccessLogs());
        Signal.handle(new Signal("HUP"), signal -> server.reloadFrom(source));
        return server.serveUntil(stopSignal);
    }

    /**
     * Serves until {@code stopSignal} opens, or until a worker is lost to an error no connection could contain: a
     * proxy short of a worker is not run on, the others drain and the exit code is 1, for a supervisor to start a
     * whole one. Returns the process exit code.
     */
    int serveUntil(CountDownLatch stopSignal) {
        group.unexpectedStop().thenRun(stopSignal::countDown);
        try {
            stopSignal.await();
            boolean workerLost = group.unexpectedStop().isDone();
            if (workerLost) {
                System.err.println("isthmus: " + group.unexpectedStop().join() + "; draining the other workers and"
                        + " exiting");
            } else {
                LOG.log(System.Logger.Level.INFO, "stop requested: draining");
            }
            drain();
            return workerLost ? 1 : 0;
        } catch (Exception e) {
            System.err.println("isthmus: failed while stopping: " + e.getMessage());
            return 1;
        }
    }

    /** The workers; package-private for a test that must lose one. */
    ReactorGroup workers() {
        return group;
    }

    /** Starts reactors and opens every listener on each; the caller owns the returned server and must close it. */
    public static ProxyServer start(ProxyConfig config) throws Exception {
        int workers = config.workers().resolve();
        int pipeBytes = config.splicePipeSize().resolve();
        ReactorGroup group = ReactorGroup.start("isthmus-worker", workers,
                ReactorOptions.DEFAULTS.withPipeSize(pipeBytes), config.pinWorkers());
        ProxyServer server = new ProxyServer(group, config);
        boolean success = false;
        try {
            group.onEach(reactor -> reactor.syscalls().raiseOpenFilesLimit(WANTED_OPEN_FILES), REACTOR_TASK_TIMEOUT);
            for (ListenerConfig listener : config.listeners()) {
                ListenerRuntime runtime = ListenerRuntime.open(config, listener, group, REACTOR_TASK_TIMEOUT);
                server.listeners.add(runtime);
                System.err.printf("isthmus: listener %s (%s) on %s:%d, %d worker%s%n", listener.name(),
                        listener.protocol().name().toLowerCase(java.util.Locale.ROOT),
                        listener.address().host(), runtime.port(), workers, workers == 1 ? "" : "s");
            }
            if (config.admin().isPresent()) {
                server.startAdmin(config.admin().get());
            }
            System.err.printf("isthmus: splice pipes of %d bytes%s%n", pipeBytes,
                    config.splicePipeSize().isAuto() ? " (splice_pipe_bytes: auto)" : "");
            if (config.pinWorkers()) {
                System.err.println("isthmus: workers pinned to CPUs " + pinnedCpus(group));
            }
            success = true;
            return server;
        } finally {
            if (!success) {
                if (server.admin != null) {
                    server.admin.close();
                }
                group.shutdown(REACTOR_TASK_TIMEOUT);
                for (ListenerRuntime listener : server.listeners) {
                    listener.closeAccessLog();
                }
            }
        }
    }

    /** Worker by worker, in order; a worker the kernel would not pin (warned about) shows as {@code -}. */
    private static String pinnedCpus(ReactorGroup group) {
        StringBuilder cpus = new StringBuilder();
        for (int i = 0; i < group.size(); i++) {
            int cpu = group.pinnedCpu(i);
            cpus.append(i == 0 ? "" : ", ").append(cpu < 0 ? "-" : Integer.toString(cpu));
        }
        return cpus.toString();
    }

    /**
     * SIGUSR1, as for nginx: every access log is opened again by its path, so a log rotator can rename the files
     * away and signal. A file that cannot be opened keeps the old one and says why.
     */
    public void reopenAccessLogs() {
        for (ListenerRuntime listener : listeners) {
            try {
                if (listener.reopenAccessLog(group, REACTOR_TASK_TIMEOUT)) {
                    LOG.log(System.Logger.Level.INFO, "listener {0}: access log reopened", listener.name());
                }
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, "listener {0}: access log not reopened, still appending to "
                        + "the old file: {1}", listener.name(), e.getMessage());
            }
        }
    }

    /**
     * SIGHUP, as for nginx: the config file is read and validated again and, when the running proxy can take it,
     * swapped in; otherwise the reason is logged and the running config stays. Never throws: a signal handler's
     * exception would be lost.
     */
    public void reloadFrom(Optional<ConfigSource> source) {
        if (source.isEmpty()) {
            count(ReloadOutcome.REFUSED);
            LOG.log(System.Logger.Level.WARNING, "SIGHUP: started from flags, there is no config file to reload");
            return;
        }
        String name = source.get().name();
        try {
            reload(source.get().load());
            LOG.log(System.Logger.Level.INFO, "config {0} reloaded", name);
        } catch (ConfigException e) {
            count(ReloadOutcome.INVALID);
            for (ConfigError error : e.errors()) {
                LOG.log(System.Logger.Level.WARNING, "{0}", error);
            }
            LOG.log(System.Logger.Level.WARNING, "config {0} not reloaded: it is invalid; the running config stays",
                    name);
        } catch (IOException e) {
            count(ReloadOutcome.INVALID);
            LOG.log(System.Logger.Level.WARNING, "config {0} not reloaded: cannot read it ({1}); the running config"
                    + " stays", name, e.getMessage());
        } catch (ReloadRefusedException e) {
            LOG.log(System.Logger.Level.WARNING, "config {0} not reloaded: {1}; the running config stays", name,
                    e.getMessage());
        } catch (Exception e) {
            count(ReloadOutcome.FAILED);
            LOG.log(System.Logger.Level.ERROR, "config " + name + ": reload failed part way", e);
        }
    }

    /**
     * Swaps in {@code next}: each reactor routes its next requests by the new routes and sends them to the new
     * clusters, keeps the pooled connections of a cluster that did not change, and lets exchanges already under way
     * finish on the clusters they started with, whose connections then close. A listener the new config adds opens
     * on every reactor first; one it no longer has stops accepting and drains in the background, as on SIGTERM.
     * Refused, changing nothing, when {@link ReloadCheck} finds a change only a restart can make, when a new listener
     * cannot open, or while draining.
     */
    public synchronized void reload(ProxyConfig next) throws Exception {
        String refusal = draining ? "draining" : ReloadCheck.refusal(running, next, group.size());
        if (refusal != null) {
            count(ReloadOutcome.REFUSED);
            throw new ReloadRefusedException(refusal + " (restart to apply)");
        }
        List<ListenerRuntime> added = openAdded(next);
        List<ListenerRuntime> removed = new ArrayList<>();
        for (ListenerRuntime listener : listeners) {
            Optional<ListenerConfig> kept = next.listener(listener.name());
            if (kept.isEmpty()) {
                removed.add(listener);
            } else {
                listener.reconfigure(next, kept.get(), group, REACTOR_TASK_TIMEOUT);
            }
        }
        listeners.addAll(added);
        listeners.removeAll(removed);
        for (ListenerRuntime listener : removed) {
            retire(listener);
        }
        running = next;
        clusters = next.clusters();
        count(ReloadOutcome.APPLIED);
    }

    /** Opens every listener of {@code next} the running config lacks; if one fails, closes those and refuses. */
    private List<ListenerRuntime> openAdded(ProxyConfig next) throws Exception {
        List<ListenerRuntime> added = new ArrayList<>();
        for (ListenerConfig config : next.listeners()) {
            if (running.listener(config.name()).isPresent()) {
                continue;
            }
            try {
                added.add(ListenerRuntime.open(next, config, group, REACTOR_TASK_TIMEOUT));
            } catch (Exception e) {
                for (ListenerRuntime opened : added) {
                    drainListeners(List.of(opened), listener -> Duration.ZERO);
                }
                count(ReloadOutcome.REFUSED);
                throw new ReloadRefusedException(e.getMessage());
            }
        }
        for (ListenerRuntime listener : added) {
            LOG.log(System.Logger.Level.INFO, "listener {0} added on port {1}", listener.name(),
                    Integer.toString(listener.port()));
        }
        return added;
    }

    /** A listener a reload removed: it drains in the background, for its own {@code drain_timeout}. */
    private void retire(ListenerRuntime listener) {
        retiring.add(listener);
        Thread.ofVirtual().name("isthmus-retire-" + listener.name()).start(() -> {
            try {
                drainListeners(List.of(listener), ListenerRuntime::drainTimeout);
                LOG.log(System.Logger.Level.INFO, "listener {0} removed", listener.name());
            } catch (Exception e) {
                if (!draining) {
                    LOG.log(System.Logger.Level.WARNING, "listener {0}: closing it after its removal failed: {1}",
                            listener.name(), e.getMessage());
                }
            } finally {
                retiring.remove(listener);
            }
        });
    }

    private void count(ReloadOutcome outcome) {
        reloads.incrementAndGet(outcome.ordinal());
    }

    private void startAdmin(AdminConfig config) throws IOException {
        admin = AdminServer.start(config.address().socketAddress(), new AdminServer.Source() {
            @Override
            public boolean live() {
                return !draining;
            }

            @Override
            public String stats() throws Exception {
                return statsPage();
            }
        });
        System.err.printf("isthmus: admin on %s:%d%n", config.address().host(), admin.port());
    }

    /** The admin endpoint's {@code /stats}: every reactor is asked for its part, none is read from here. */
    private String statsPage() throws Exception {
        List<ListenerCounters> counters = new ArrayList<>(listeners.size());
        ClusterCounters clusters = new ClusterCounters(this.clusters);
        for (ListenerRuntime listener : listeners) {
            counters.add(listener.counters(group, STATS_TIMEOUT, clusters));
        }
        long uptime = Duration.ofNanos(System.nanoTime() - startNanos).toSeconds();
        long[] reloadCounts = new long[reloads.length()];
        for (int i = 0; i < reloadCounts.length; i++) {
            reloadCounts[i] = reloads.get(i);
        }
        return StatsPage.render(group.size(), uptime, draining, reloadCounts, counters, clusters);
    }

    /** The admin endpoint's port; the config must have one. */
    public int adminPort() {
        if (admin == null) {
            throw new IllegalStateException("no admin endpoint configured");
        }
        return admin.port();
    }

    /** The port a listener is bound to (the chosen one when the config said port 0). */
    public int port(String listenerName) {
        return listener(listenerName).port();
    }

    public ListenerRuntime listener(String listenerName) {
        for (ListenerRuntime runtime : listeners) {
            if (runtime.name().equals(listenerName)) {
                return runtime;
            }
        }
        throw new IllegalArgumentException("no listener " + listenerName);
    }

    /**
     * Stops accepting, lets in-flight connections finish for up to {@code timeout}, closes what is left and stops the
     * reactors. Safe to call twice.
     */
    public void drain(Duration timeout) throws Exception {
        drain(listener -> timeout);
    }

    /** {@link #drain(Duration)} with each listener's own {@code drain_timeout}: what SIGTERM and SIGINT do. */
    public void drain() throws Exception {
        drain(ListenerRuntime::drainTimeout);
    }

    /**
     * Stops accepting on every listener (those a reload is still retiring too), drains them ({@link #drainListeners})
     * and stops the reactors when all are done.
     */
    private synchronized void drain(Function<ListenerRuntime, Duration> timeouts) throws Exception {
        if (draining) {
            return;
        }
        draining = true;
        List<ListenerRuntime> all = new ArrayList<>(listeners);
        all.addAll(retiring);
        drainListeners(all, timeouts);
        if (admin != null) {
            admin.close();
        }
        if (!group.shutdown(REACTOR_TASK_TIMEOUT)) {
            LOG.log(System.Logger.Level.WARNING, "a reactor did not stop within {0}", REACTOR_TASK_TIMEOUT);
        }
    }

    /**
     * Stops accepting on {@code set}, then gives each listener's in-flight connections that listener's own time
     * before closing them, logging how many were cut, and closes its access log.
     */
    private void drainListeners(List<ListenerRuntime> set, Function<ListenerRuntime, Duration> timeouts)
            throws Exception {
        for (ListenerRuntime listener : set) {
            listener.stopAccepting(group, REACTOR_TASK_TIMEOUT);
        }
        long start = System.nanoTime();
        List<ListenerRuntime> pending = new ArrayList<>(set);
        while (!pending.isEmpty()) {
            Iterator<ListenerRuntime> it = pending.iterator();
            while (it.hasNext()) {
                ListenerRuntime listener = it.next();
                long active = listener.activeConnections();
                Duration timeout = timeouts.apply(listener);
                if (active == 0) {
                    it.remove();
                } else if (System.nanoTime() - start >= timeout.toNanos()) {
                    if (timeout.isPositive()) {
                        LOG.log(System.Logger.Level.WARNING, "listener {0}: drain_timeout of {1} ms expired, closing"
                                + " {2} connection(s) still in flight", listener.name(),
                                Long.toString(timeout.toMillis()), Long.toString(active));
                    }
                    listener.closeAll(group, REACTOR_TASK_TIMEOUT);
                    it.remove();
                }
            }
            if (!pending.isEmpty()) {
                Thread.sleep(DRAIN_POLL);
            }
        }
        for (ListenerRuntime listener : set) {
            listener.closeAll(group, REACTOR_TASK_TIMEOUT);
            listener.closeAccessLog();
        }
    }

    @Override
    public void close() throws Exception {
        drain(Duration.ZERO);
    }
}
