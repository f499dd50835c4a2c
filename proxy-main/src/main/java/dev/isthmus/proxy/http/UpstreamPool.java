package dev.isthmus.proxy.http;

import dev.isthmus.bindings.SocketAddresses;
import dev.isthmus.proxy.config.ClusterConfig;
import dev.isthmus.proxy.config.HostPort;
import dev.isthmus.reactor.EpollReactor;

import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One cluster on one reactor: its endpoints (encoded once), the load-balancing choice, keep-alive connections per
 * endpoint, the cap on open connections and the bounded queue of clients waiting for one. Confined to the reactor
 * thread, so there is no locking: each reactor balances its own share of the traffic.
 */
final class UpstreamPool {
    private final EpollReactor reactor;
    private final ChunkPools chunks;
    private final ClusterConfig config;
    private final MemorySegment[] sockaddrs;
    private final int[] sockaddrLengths;
    private final String[] names;
    private final ArrayDeque<UpstreamConnection>[] idle;
    private final int[] active;
    private final ArrayDeque<ClientConnection> pending = new ArrayDeque<>();
    private final SplittableRandom random = new SplittableRandom();
    private int open;
    private int nextRoundRobin;

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
        this.idle = new ArrayDeque[n];
        this.active = new int[n];
        for (int i = 0; i < n; i++) {
            sockaddrs[i] = reactor.arena().allocate(SocketAddresses.MAX_LENGTH, Long.BYTES);
            sockaddrLengths[i] = SocketAddresses.write(sockaddrs[i], endpoints.get(i).socketAddress());
            names[i] = endpoints.get(i).toString();
            idle[i] = new ArrayDeque<>();
        }
    }

    String name() {
        return config.name();
    }

    String endpointName(int endpoint) {
        return names[endpoint];
    }

    MemorySegment sockaddr(int endpoint) {
        return sockaddrs[endpoint];
    }

    int sockaddrLength(int endpoint) {
        return sockaddrLengths[endpoint];
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

    /**
     * Gets {@code client} a connection: an idle one now ({@link ClientConnection#upstreamReady} before this returns),
     * a new one later, or a place in the queue. Returns false when the cluster is at capacity and the queue is full.
     */
    boolean acquire(ClientConnection client) {
        int endpoint = pickEndpoint();
        UpstreamConnection pooled = idle[endpoint].pollLast();
        if (pooled != null) {
            active[endpoint]++;
            pooled.lend(client);
            client.upstreamReady(pooled);
            return true;
        }
        if (open < config.maxConnections()) {
            connect(endpoint, client);
            return true;
        }
        if (pending.size() < config.maxPending()) {
            pending.addLast(client);
            return true;
        }
        return false;
    }

    private void connect(int endpoint, ClientConnection client) {
        UpstreamConnection connection = new UpstreamConnection(this, endpoint, reactor);
        open++;
        active[endpoint]++;
        int result = connection.connect(client);
        if (result < 0) {
            open--;
            active[endpoint]--;
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
        active[connection.endpoint]--;
        ClientConnection next = pending.pollFirst();
        if (next != null) {
            active[connection.endpoint]++;
            connection.lend(next);
            next.upstreamReady(connection);
            return;
        }
        connection.park();
        idle[connection.endpoint].addLast(connection);
    }

    void connectionClosed(UpstreamConnection connection, UpstreamConnection.State was) {
        open--;
        if (was == UpstreamConnection.State.IDLE) {
            idle[connection.endpoint].remove(connection);
        } else {
            active[connection.endpoint]--;
        }
        ClientConnection next = pending.pollFirst();
        if (next != null) {
            connect(pickEndpoint(), next);
        }
    }

    private int pickEndpoint() {
        int n = sockaddrs.length;
        if (n == 1) {
            return 0;
        }
        return switch (config.lb()) {
            case ROUND_ROBIN -> {
                int chosen = nextRoundRobin;
                nextRoundRobin = chosen + 1 == n ? 0 : chosen + 1;
                yield chosen;
            }
            case RANDOM -> random.nextInt(n);
            case LEAST_REQUEST -> {
                // Power of two choices: two distinct random endpoints, the less loaded wins.
                int a = random.nextInt(n);
                int b = random.nextInt(n - 1);
                if (b >= a) {
                    b++;
                }
                yield active[b] < active[a] ? b : a;
            }
        };
    }

    int openConnections() {
        return open;
    }

    int pendingCount() {
        return pending.size();
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
