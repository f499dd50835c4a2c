package dev.isthmus.proxy.http;

import dev.isthmus.bindings.SocketAddresses;
import dev.isthmus.bindings.SyscallException;
import dev.isthmus.http1.GatherList;
import dev.isthmus.http1.Http1Limits;
import dev.isthmus.http1.RequestParser;
import dev.isthmus.http1.ResponseParser;
import dev.isthmus.proxy.balance.ClusterGauges;
import dev.isthmus.proxy.config.ListenerConfig;
import dev.isthmus.proxy.config.ListenerLimits;
import dev.isthmus.proxy.config.ProxyConfig;
import dev.isthmus.proxy.log.RateLimitedLog;
import dev.isthmus.proxy.route.PathNormalizer;
import dev.isthmus.proxy.route.RouteTable;
import dev.isthmus.reactor.BufferPool;
import dev.isthmus.reactor.EpollReactor;
import dev.isthmus.reactor.IndexedSet;
import dev.isthmus.reactor.Listener;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One http listener on one reactor: accepts clients and holds what every {@link ClientConnection} of this reactor
 * shares, which is safe because a reactor handles one event at a time: the head parsers, the {@link ForwardedHeads}
 * that rewrite forwarded heads and the {@link LocalResponses} that compose the proxy's own, the gather writer and its
 * scratch memory, the route table, the upstream pools and the counters. Confined to the reactor thread.
 */
public final class HttpListenerWorker implements Listener.AcceptHandler {
    private static final int SCRATCH_BYTES = 16 * 1024;
    private static final int SMALL_CHUNK = BufferPool.DEFAULT_CHUNK_SIZE;
    private static final int MAX_IP_TEXT = 40;
    private static final int CLIENT_FAULTS_PER_SECOND = 5;
    private static final int WARNINGS_PER_SECOND = 20;

    final EpollReactor reactor;
    final ListenerConfig config;
    /**
     * Replaced by {@link #reconfigure}, except the two sizes the parser and chunk pools were built with, which a
     * reload may not change; connections read the timeouts each time they arm one.
     */
    ListenerLimits limits;
    /** Replaced by {@link #reconfigure}; a connection reads it once per request, when it routes the request. */
    RouteTable routes;
    final RequestParser requestParser;
    final ResponseParser responseParser;
    final GatherList gather = new GatherList();
    final GatherWriter writer;
    final ParsedRequest view;
    final HttpDate date;
    final MemorySegment scratch;
    final ForwardedHeads forwardedHeads;
    final LocalResponses localResponses;
    final Http1Limits codecLimits;
    /** Chunks for requests, for responses, and the large ones a head that outgrows a small chunk moves to. */
    final ChunkPools chunks;
    /** Body transfers, lent to an exchange while it moves bodies. */
    final TransferPool transfers;
    final HttpStats stats = new HttpStats();
    /** Upstream failures and aborted exchanges, rate-limited: stderr writes block the reactor thread. */
    final RateLimitedLog warnings;
    /** Requests refused for the client's own fault (malformed, too large, too slow), at INFO and fewer a second. */
    final RateLimitedLog clientFaults;
    /** This reactor's part of the listener's access log; null when the listener keeps none. */
    final AccessLog accessLog;
    private ProxyConfig proxy;
    private UpstreamPool[] pools;
    private final IndexedSet<ClientConnection> connections = new IndexedSet<>();
    private final MemorySegment ipText;
    private volatile int activeConnections;
    boolean draining;
    private Listener listener;

    /** @param accessLogFile the listener's access log, shared by its reactors; null when it keeps none */
    public HttpListenerWorker(EpollReactor reactor, ProxyConfig proxy, ListenerConfig config, RouteTable routes,
            AccessLogFile accessLogFile) {
        this.reactor = reactor;
        this.proxy = proxy;
        this.config = config;
        this.limits = config.limits();
        this.routes = routes;
        this.codecLimits = new Http1Limits(limits.maxRequestHeadBytes(), limits.maxHeaders(),
                Math.min(Http1Limits.DEFAULT_MAX_TARGET_LENGTH, limits.maxRequestHeadBytes()),
                Http1Limits.DEFAULT_MAX_CHUNK_EXTENSION_LENGTH, Http1Limits.DEFAULT_MAX_TRAILER_BYTES);
        this.requestParser = new RequestParser(codecLimits);
        System.Logger logger = System.getLogger(ClientConnection.class.getName());
        this.warnings = new RateLimitedLog(logger, System.Logger.Level.WARNING, WARNINGS_PER_SECOND,
                "http " + config.name(), reactor);
        this.clientFaults = new RateLimitedLog(logger, System.Logger.Level.INFO, CLIENT_FAULTS_PER_SECOND,
                "http " + config.name(), reactor);
        this.accessLog = accessLogFile == null ? null : new AccessLog(reactor, accessLogFile, warnings);
        this.view = new ParsedRequest(config.normalizePath()
                ? new PathNormalizer(reactor.arena().allocate(codecLimits.maxTargetLength()))
                : null);
        this.responseParser = new ResponseParser(codecLimits);
        this.writer = new GatherWriter(reactor.syscalls(), reactor.arena());
        this.scratch = reactor.arena().allocate(SCRATCH_BYTES, Long.BYTES);
        this.ipText = reactor.arena().allocate(MAX_IP_TEXT);
        this.date = new HttpDate(reactor.arena());
        this.forwardedHeads = new ForwardedHeads(view, date, scratch, gather);
        this.localResponses = new LocalResponses(writer, scratch, gather, date);
        int small = Math.min(SMALL_CHUNK, limits.maxRequestHeadBytes());
        this.chunks = new ChunkPools(reactor.arena(), small, Math.max(small, limits.maxRequestHeadBytes()));
        this.transfers = new TransferPool(reactor.syscalls(), reactor.pipes(), codecLimits);
        this.pools = new UpstreamPool[proxy.clusters().size()];
    }

    /**
     * The listen socket this worker accepts from, paused while the worker is at {@code max_connections}. Its
     * connections start with delayed ACKs, which {@link ClientConnection} turns back to immediate ones whenever it
     * waits for the rest of a request.
     */
    public void listenOn(Listener socket) throws SyscallException {
        socket.deferAcks();
        this.listener = socket;
    }

    @Override
    public void onAccept(int fd, MemorySegment peerAddress) {
        if (draining) {
            reactor.syscalls().close(fd);
            return;
        }
        int n = SocketAddresses.formatIp(peerAddress, ipText, 0);
        // A byte loop: until the JIT removes them, asSlice(..).toArray(..) leaves 200 bytes of garbage per connection
        // and MemorySegment.copy 20-45 (a segment it makes), both kept resident on a freshly started proxy.
        byte[] clientIp = new byte[n];
        for (int i = 0; i < n; i++) {
            clientIp[i] = ipText.get(ValueLayout.JAVA_BYTE, i);
        }
        ClientConnection connection = new ClientConnection(this, fd, clientIp);
        if (connection.open()) {
            connections.add(connection);
            activeConnections = connections.size();
            acceptWithinLimit();
        }
    }

    UpstreamPool pool(int clusterIndex) {
        UpstreamPool pool = pools[clusterIndex];
        if (pool == null) {
            pool = new UpstreamPool(reactor, chunks, proxy.clusters().get(clusterIndex));
            pools[clusterIndex] = pool;
        }
        return pool;
    }

    /**
     * A reload: the next requests are routed by {@code nextRoutes} to the clusters of {@code next}, under the
     * timeouts, {@code max_connections}, body limit and splice threshold of {@code nextLimits}. A cluster whose
     * config did not change keeps its pool, with its warm connections and ejections; the others' pools are retired
     * (see {@link UpstreamPool#retire}), and the exchanges holding them finish there. Reactor thread only.
     */
    public void reconfigure(ProxyConfig next, ListenerLimits nextLimits, RouteTable nextRoutes) {
        UpstreamPool[] nextPools = new UpstreamPool[next.clusters().size()];
        for (UpstreamPool pool : pools) {
            if (pool == null) {
                continue;
            }
            int index = next.clusterIndex(pool.name());
            if (index >= 0 && next.clusters().get(index).equals(pool.config())) {
                nextPools[index] = pool;
            } else {
                pool.retire();
            }
        }
        pools = nextPools;
        proxy = next;
        routes = nextRoutes;
        limits = nextLimits;
        acceptWithinLimit();
    }

    void connectionClosed(ClientConnection connection) {
        connections.remove(connection);
        activeConnections = connections.size();
        acceptWithinLimit();
    }

    /** Accepts while under {@code max_connections}, pauses at it (a reload may have moved it either way). */
    private void acceptWithinLimit() {
        if (listener != null) {
            listener.acceptWhile(activeConnections < limits.maxConnections());
        }
    }

    public int activeConnections() {
        return activeConnections;
    }

    public HttpStats stats() {
        return stats;
    }

    /** Reports every upstream pool this worker opened to {@code gauges}. Reactor thread only. */
    public void reportPools(ClusterGauges gauges) {
        for (UpstreamPool pool : pools) {
            if (pool != null) {
                gauges.add(pool.name(), pool.openConnections(), pool.idleConnections(), pool.pendingCount(),
                        pool.ejectedEndpoints());
            }
        }
    }

    /** Draining: idle keep-alive connections close now, busy ones after their current response. */
    public void beginDrain() {
        draining = true;
        connections.forEachPresent(ClientConnection::drain);
    }

    /** Closes every client connection and every idle upstream connection (end of a drain). */
    public void closeAll() {
        connections.forEachPresent(ClientConnection::close);
        for (UpstreamPool pool : pools) {
            if (pool != null) {
                pool.closeIdle();
            }
        }
        if (accessLog != null) {
            accessLog.flush();
        }
    }
}
