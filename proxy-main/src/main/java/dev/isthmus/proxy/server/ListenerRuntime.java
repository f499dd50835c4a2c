package dev.isthmus.proxy.server;

import dev.isthmus.proxy.balance.ClusterGauges;
import dev.isthmus.proxy.config.ClusterConfig;
import dev.isthmus.proxy.config.ListenerConfig;
import dev.isthmus.proxy.config.Protocol;
import dev.isthmus.proxy.config.ProxyConfig;
import dev.isthmus.proxy.http.AccessLogFile;
import dev.isthmus.proxy.http.HttpListenerWorker;
import dev.isthmus.proxy.http.HttpStats;
import dev.isthmus.proxy.route.RouteTable;
import dev.isthmus.proxy.tcp.TcpListenerWorker;
import dev.isthmus.reactor.EpollReactor;
import dev.isthmus.reactor.Listener;
import dev.isthmus.reactor.ReactorGroup;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;

/**
 * One configured listener across all reactors: a {@code SO_REUSEPORT} socket and a protocol worker per reactor.
 * Opened and queried from the main thread; each reactor's part is created and closed on that reactor.
 */
public final class ListenerRuntime {
    private ListenerConfig config;
    private final Listener[] sockets;
    private final TcpListenerWorker[] tcpWorkers;
    private final HttpListenerWorker[] httpWorkers;
    private RouteTable routes;
    private AccessLogFile accessLog;
    private int port;

    private ListenerRuntime(ListenerConfig config, int reactors) {
        this.config = config;
        this.sockets = new Listener[reactors];
        this.tcpWorkers = new TcpListenerWorker[reactors];
        this.httpWorkers = new HttpListenerWorker[reactors];
    }

    static ListenerRuntime open(ProxyConfig proxy, ListenerConfig config, ReactorGroup group, Duration timeout)
            throws Exception {
        ListenerRuntime runtime = new ListenerRuntime(config, group.size());
        runtime.port = config.address().port();
        if (config.protocol() == Protocol.HTTP) {
            runtime.routes = RouteTable.compile(proxy, config);
        }
        if (config.accessLog().isPresent()) {
            try {
                runtime.accessLog = AccessLogFile.open(config.accessLog().get());
            } catch (IOException e) {
                throw new IOException("listener " + config.name() + ": " + e.getMessage(), e);
            }
        }
        try {
            // The first socket resolves port 0; the others must join that same port for SO_REUSEPORT to spread load.
            for (int i = 0; i < group.size(); i++) {
                EpollReactor reactor = group.get(i);
                int index = i;
                CompletableFuture<Void> opened = new CompletableFuture<>();
                reactor.post(() -> {
                    try {
                        runtime.openOn(proxy, reactor, index);
                        opened.complete(null);
                    } catch (Throwable t) {
                        opened.completeExceptionally(t);
                    }
                });
                try {
                    opened.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException("listener " + config.name() + " on " + config.address() + ": "
                            + e.getCause().getMessage(), e.getCause());
                }
            }
        } catch (Exception | Error e) {
            runtime.closeAccessLog();
            throw e;
        }
        return runtime;
    }

    private void openOn(ProxyConfig proxy, EpollReactor reactor, int index) throws Exception {
        Listener.AcceptHandler handler = switch (config.protocol()) {
            case TCP -> {
                tcpWorkers[index] = new TcpListenerWorker(reactor, config, tcpCluster(proxy, config));
                yield tcpWorkers[index];
            }
            case HTTP -> {
                httpWorkers[index] = new HttpListenerWorker(reactor, proxy, config, routes, accessLog);
                yield httpWorkers[index];
            }
        };
        InetSocketAddress address = new InetSocketAddress(config.address().address(), port);
        sockets[index] = Listener.open(reactor, address, config.socketBuffers().sendBytes(),
                config.socketBuffers().receiveBytes(), handler);
        port = sockets[index].port();
        if (tcpWorkers[index] != null) {
            tcpWorkers[index].listenOn(sockets[index]);
        }
        if (httpWorkers[index] != null) {
            httpWorkers[index].listenOn(sockets[index]);
        }
    }

    public String name() {
        return config.name();
    }

    Duration drainTimeout() {
        return config.limits().drainTimeout();
    }

    public int port() {
        return port;
    }

    public long activeConnections() {
        long active = 0;
        for (TcpListenerWorker worker : tcpWorkers) {
            active += worker == null ? 0 : worker.activeSessions();
        }
        for (HttpListenerWorker worker : httpWorkers) {
            active += worker == null ? 0 : worker.activeConnections();
        }
        return active;
    }

    /** One HTTP counter summed over reactors, e.g. {@code httpStat(HttpStats::bytesSpliced)}. */
    public long httpStat(ToLongFunction<HttpStats> counter) {
        long sum = 0;
        for (HttpListenerWorker worker : httpWorkers) {
            sum += worker == null ? 0 : counter.applyAsLong(worker.stats());
        }
        return sum;
    }

    /** Payload bytes spliced by finished tcp sessions, both directions, summed over reactors. */
    public long tcpBytesSpliced() {
        long bytes = 0;
        for (TcpListenerWorker worker : tcpWorkers) {
            bytes += worker == null ? 0 : worker.bytesUpstream() + worker.bytesDownstream();
        }
        return bytes;
    }

    public long upstreamFailures() {
        long failures = httpStat(HttpStats::upstreamFailures);
        for (TcpListenerWorker worker : tcpWorkers) {
            failures += worker == null ? 0 : worker.upstreamFailures();
        }
        return failures;
    }

    /**
     * A coherent copy of this listener's counters, and its part of every cluster's gauges added to {@code clusters}:
     * each reactor adds its own part on its own thread.
     */
    ListenerCounters counters(ReactorGroup group, Duration timeout, ClusterGauges clusters) throws Exception {
        ListenerCounters counters = new ListenerCounters(config.name(), config.protocol());
        group.onEach(reactor -> {
            int index = indexOf(group, reactor);
            HttpListenerWorker http = httpWorkers[index];
            TcpListenerWorker tcp = tcpWorkers[index];
            counters.add(sockets[index], http == null ? null : http.stats(),
                    http == null ? 0 : http.activeConnections(), tcp);
            if (http != null) {
                http.reportPools(clusters);
            }
            if (tcp != null) {
                tcp.reportUpstreams(clusters);
            }
        }, timeout);
        return counters;
    }

    /**
     * Takes the routes (http) or the cluster (tcp) of {@code next}, and its timeouts, {@code max_connections}, body
     * limit and splice threshold, on every reactor ({@link ReloadCheck} found every other setting unchanged); new
     * requests and sessions use the routes and clusters, those under way finish on theirs, and each timeout applies
     * the next time a connection arms it.
     */
    void reconfigure(ProxyConfig proxy, ListenerConfig next, ReactorGroup group, Duration timeout) throws Exception {
        switch (next.protocol()) {
            case HTTP -> {
                RouteTable nextRoutes = RouteTable.compile(proxy, next);
                group.onEach(reactor -> httpWorkers[indexOf(group, reactor)]
                        .reconfigure(proxy, next.limits(), nextRoutes), timeout);
            }
            case TCP -> {
                ClusterConfig cluster = tcpCluster(proxy, next);
                group.onEach(reactor -> tcpWorkers[indexOf(group, reactor)].reconfigure(cluster, next.limits()),
                        timeout);
            }
        }
        config = next;
    }

    private static ClusterConfig tcpCluster(ProxyConfig proxy, ListenerConfig listener) {
        return proxy.cluster(listener.cluster().orElseThrow()).orElseThrow();
    }

    void stopAccepting(ReactorGroup group, Duration timeout) throws Exception {
        group.onEach(reactor -> {
            int index = indexOf(group, reactor);
            sockets[index].close();
            if (httpWorkers[index] != null) {
                httpWorkers[index].beginDrain();
            }
        }, timeout);
    }

    void closeAll(ReactorGroup group, Duration timeout) throws Exception {
        group.onEach(reactor -> {
            int index = indexOf(group, reactor);
            if (tcpWorkers[index] != null) {
                tcpWorkers[index].closeAll();
            }
            if (httpWorkers[index] != null) {
                httpWorkers[index].closeAll();
            }
        }, timeout);
    }

    /**
     * Opens the access log file again by its path (log rotation by renaming), then closes the one it replaces once
     * every reactor has run a task, so none is still writing to it. False when the listener has no access log.
     */
    boolean reopenAccessLog(ReactorGroup group, Duration timeout) throws Exception {
        if (accessLog == null) {
            return false;
        }
        try (FileChannel replaced = accessLog.reopen()) {
            group.onEach(reactor -> { }, timeout);
        }
        return true;
    }

    /** Closes the access log file; only once every reactor's part was flushed by {@link #closeAll}. */
    void closeAccessLog() throws IOException {
        if (accessLog != null) {
            accessLog.close();
        }
    }

    private static int indexOf(ReactorGroup group, EpollReactor reactor) {
        for (int i = 0; i < group.size(); i++) {
            if (group.get(i) == reactor) {
                return i;
            }
        }
        throw new IllegalStateException("reactor not in group");
    }
}
