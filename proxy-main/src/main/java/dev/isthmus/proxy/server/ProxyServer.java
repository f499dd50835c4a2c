package dev.isthmus.proxy.server;

import dev.isthmus.proxy.config.ListenerConfig;
import dev.isthmus.proxy.config.ProxyConfig;
import dev.isthmus.reactor.ReactorGroup;
import dev.isthmus.reactor.ReactorOptions;
import sun.misc.Signal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The running proxy: a {@link ReactorGroup} with every configured listener open on every reactor. Started and stopped
 * from the main thread; everything it owns on a reactor is touched only through that reactor's task queue.
 */
public final class ProxyServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ProxyServer.class.getName());
    private static final Duration REACTOR_TASK_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration DRAIN_POLL = Duration.ofMillis(20);
    private static final long WANTED_OPEN_FILES = 1 << 20;

    private final ProxyConfig config;
    private final ReactorGroup group;
    private final List<ListenerRuntime> listeners = new ArrayList<>();
    private boolean stopped;

    private ProxyServer(ProxyConfig config, ReactorGroup group) {
        this.config = config;
        this.group = group;
    }

    /** Starts the proxy and blocks until SIGTERM or SIGINT, then drains; returns the process exit code. */
    public static int run(ProxyConfig config) {
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
        try {
            stopSignal.await();
            LOG.log(System.Logger.Level.INFO, "stop requested: draining");
            server.drain(server.drainTimeout());
            return 0;
        } catch (Exception e) {
            System.err.println("isthmus: failed while stopping: " + e.getMessage());
            return 1;
        }
    }

    /** Starts reactors and opens every listener on each; the caller owns the returned server and must close it. */
    public static ProxyServer start(ProxyConfig config) throws Exception {
        int workers = config.workers().resolve();
        ReactorGroup group = ReactorGroup.start("isthmus-worker", workers, ReactorOptions.DEFAULTS, false);
        ProxyServer server = new ProxyServer(config, group);
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
            success = true;
            return server;
        } finally {
            if (!success) {
                group.shutdown(REACTOR_TASK_TIMEOUT);
            }
        }
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

    private Duration drainTimeout() {
        Duration longest = Duration.ZERO;
        for (ListenerConfig listener : config.listeners()) {
            if (listener.limits().drainTimeout().compareTo(longest) > 0) {
                longest = listener.limits().drainTimeout();
            }
        }
        return longest;
    }

    /**
     * Stops accepting, lets in-flight connections finish for up to {@code timeout}, closes what is left and stops the
     * reactors. Safe to call twice.
     */
    public void drain(Duration timeout) throws Exception {
        if (stopped) {
            return;
        }
        stopped = true;
        for (ListenerRuntime listener : listeners) {
            listener.stopAccepting(group, REACTOR_TASK_TIMEOUT);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (activeConnections() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(DRAIN_POLL);
        }
        for (ListenerRuntime listener : listeners) {
            listener.closeAll(group, REACTOR_TASK_TIMEOUT);
        }
        if (!group.shutdown(REACTOR_TASK_TIMEOUT)) {
            LOG.log(System.Logger.Level.WARNING, "a reactor did not stop within {0}", REACTOR_TASK_TIMEOUT);
        }
    }

    private long activeConnections() {
        long active = 0;
        for (ListenerRuntime listener : listeners) {
            active += listener.activeConnections();
        }
        return active;
    }

    @Override
    public void close() throws Exception {
        drain(Duration.ZERO);
    }
}
