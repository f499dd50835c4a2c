package dev.isthmus.proxy.http;

import dev.isthmus.bindings.Errno;
import dev.isthmus.bindings.SocketAddresses;
import dev.isthmus.proxy.balance.EndpointPicker;
import dev.isthmus.proxy.config.ClusterConfig;
import dev.isthmus.proxy.config.HostPort;
import dev.isthmus.proxy.config.SocketBuffers;
import dev.isthmus.reactor.EpollReactor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;

/**
 * One cluster on one reactor: its endpoints (encoded once), the load-balancing choice and endpoint ejection
 * ({@link EndpointPicker}), keep-alive connections per endpoint, the cap on open connections and the bounded queue of
 * clients waiting for one. Confined to the reactor thread, so there is no locking: each reactor balances its own
 * share of the traffic.
 */
final class UpstreamPool {
    private final EpollReactor reactor;
    private final ChunkPools chunks;
    private final ClusterConfig config;
    private final MemorySegment[] sockaddrs;
    private final int[] sockaddrLengths;
    private final String[] names;
    private final byte[][] hostValues;
    private final ArrayDeque<UpstreamConnection>[] idle;
    private final EndpointPicker picker;
    private final ArrayDeque<ClientConnection> pending = new ArrayDeque<>();
    private int open;
    private boolean retired;

    @SuppressWarnings("unchecked")
    UpstreamPool(EpollReactor reactor, ChunkPools chunks, ClusterConfig config) {
        this.reactor = reactor;
        this.chunks = chunks;
        this.config = config;
        List<HostPort> endpoints = config.endpoints();
        int n = endpoints.size();
        this.sockaddrs = new MemorySegment[n];
        this.sockaddrLengths = new int[n];
        this.names = new String[n];
        this.hostValues = new byte[n][];
        this.idle = new ArrayDeque[n];
        this.picker = new EndpointPicker(n, config.lb(), config.ejectionTime().toNanos());
        // Not the reactor's arena: a reload may replace this pool, and its addresses must go with it.
        Arena addresses = Arena.ofAuto();
        for (int i = 0; i < n; i++) {
            sockaddrs[i] = addresses.allocate(SocketAddresses.MAX_LENGTH, Long.BYTES);
            sockaddrLengths[i] = SocketAddresses.write(sockaddrs[i], endpoints.get(i).socketAddress());
            names[i] = endpoints.get(i).toString();
            hostValues[i] = names[i].getBytes(StandardCharsets.US_ASCII);
            idle[i] = new ArrayDeque<>();
        }
    }

    String name() {
        return config.name();
    }

    ClusterConfig config() {
        return config;
    }

    String endpointName(int endpoint) {
        return names[endpoint];
    }

    /** The endpoint as a Host value ({@code host:port} as configured), for requests that came without one. */
    byte[] endpointHost(int endpoint) {
        return hostValues[endpoint];
    }

    MemorySegment sockaddr(int endpoint) {
        return sockaddrs[endpoint];
    }

    int sockaddrLength(int endpoint) {
        return sockaddrLengths[endpoint];
    }

    SocketBuffers socketBuffers() {
        return config.socketBuffers();
    }

    long connectTimeoutNanos() {
        return config.connectTimeout().toNanos();
    }

    long idleTimeoutNanos() {
        return config.idleTimeout().toNanos();
    }

    ChunkPools chunks() {
        return chunks;
    }

    /** See {@link EndpointPicker#mayTryAnother}. */
    boolean mayTryAnother(int failedConnects) {
        return picker.mayTryAnother(failedConnects);
    }

    /** A connect to {@code endpoint} failed or timed out: eject it before anyone else is sent there. */
    void connectFailed(int endpoint) {
        picker.connectFailed(endpoint);
    }

    void connected(int endpoint) {
        picker.connected(endpoint);
    }

    /**
     * Gets {@code client} a connection: an idle one now ({@link ClientConnection#upstreamReady} before this returns),
     * a new one later, or a place in the queue. Returns false when the cluster is at capacity and the queue is full.
     */
    boolean acquire(ClientConnection client) {
        int endpoint = picker.pick();
        UpstreamConnection pooled = idle[endpoint].pollLast();
        if (pooled != null) {
            picker.started(endpoint);
            pooled.lend(client);
            client.upstreamReady(pooled);
            return true;
        }
        if (open < config.maxConnections() || closeAnIdleConnection()) {
            connect(endpoint, client);
            return true;
        }
        if (pending.size() < config.maxPending()) {
            pending.addLast(client);
            return true;
        }
        return false;
    }

    /**
     * At {@code max_connections} with none idle to the endpoint the policy picked: an idle connection to another
     * endpoint (the one that endpoint used least recently) is closed to make room. Queueing the request instead
     * would wait for a release that idle connections never make. Nothing is waiting then: a release serves the queue
     * before it parks a connection, and this runs before anything is queued, so no idle connection exists while the
     * queue is not empty.
     */
    private boolean closeAnIdleConnection() {
        for (ArrayDeque<UpstreamConnection> connections : idle) {
            UpstreamConnection leastRecentlyUsed = connections.peekFirst();
            if (leastRecentlyUsed != null) {
                leastRecentlyUsed.close();
                return true;
            }
        }
        return false;
    }

    private void connect(int endpoint, ClientConnection client) {
        UpstreamConnection connection = new UpstreamConnection(this, endpoint, reactor);
        open++;
        picker.started(endpoint);
        int result = connection.connect(client);
        if (result < 0) {
            open--;
            picker.finished(endpoint);
            if (!Errno.isOutOfResources(result)) {
                picker.connectFailed(endpoint);
            }
            client.upstreamConnectFailed(connection, result);
        }
    }

    /** A client gave up waiting (it closed): forget its place in the queue. */
    void cancel(ClientConnection client) {
        pending.remove(client);
    }

    /** The client is done with {@code connection}, which is clean and may carry another request. */
    void release(UpstreamConnection connection) {
        connection.requestsServed++;
        ClientConnection next = pending.pollFirst();
        if (next != null) {
            // Still busy with the next client: as far as the picker is concerned, nothing ended.
            connection.lend(next);
            next.upstreamReady(connection);
            return;
        }
        if (retired) {
            // Closing it tells the picker it finished.
            connection.close();
            return;
        }
        picker.finished(connection.endpoint);
        connection.park();
        idle[connection.endpoint].addLast(connection);
    }

    void connectionClosed(UpstreamConnection connection, UpstreamConnection.State was) {
        open--;
        if (was == UpstreamConnection.State.IDLE) {
            idle[connection.endpoint].remove(connection);
        } else {
            picker.finished(connection.endpoint);
        }
        ClientConnection next = pending.pollFirst();
        if (next != null) {
            connect(picker.pick(), next);
        }
    }

    int openConnections() {
        return open;
    }

    int idleConnections() {
        int count = 0;
        for (ArrayDeque<UpstreamConnection> connections : idle) {
            count += connections.size();
        }
        return count;
    }

    int ejectedEndpoints() {
        return picker.ejectedCount();
    }

    int pendingCount() {
        return pending.size();
    }

    /**
     * A reload replaced this pool: its idle connections close now, and a connection released later serves a client
     * still queued here or closes. The exchanges that hold it finish on the config they started with.
     */
    void retire() {
        retired = true;
        closeIdle();
    }

    /** Closes every idle connection (drain/shutdown). */
    void closeIdle() {
        for (ArrayDeque<UpstreamConnection> connections : idle) {
            while (!connections.isEmpty()) {
                connections.peekLast().close();
            }
        }
    }
}
