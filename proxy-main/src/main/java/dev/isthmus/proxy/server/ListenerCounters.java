package dev.isthmus.proxy.server;

import dev.isthmus.proxy.config.Protocol;
import dev.isthmus.proxy.http.HttpStats;
import dev.isthmus.proxy.http.RequestDurations;
import dev.isthmus.proxy.tcp.TcpListenerWorker;
import dev.isthmus.reactor.Listener;

/**
 * What one listener counted, summed over its reactors. Each reactor adds its own part on its own thread (posted to
 * it, so the copy is coherent with what that reactor did); the admin thread reads the sum once every part is in.
 */
final class ListenerCounters {
    /** The counters every listener has, and those of one protocol only. */
    enum Counter {
        CONNECTIONS_ACCEPTED,
        CONNECTIONS_ACTIVE,
        HTTP_REQUESTS,
        HTTP_UPSTREAM_REQUESTS,
        HTTP_LOCAL_RESPONSES,
        HTTP_REJECTED_REQUESTS,
        HTTP_UPSTREAM_FAILURES,
        HTTP_BYTES_SPLICED,
        HTTP_BYTES_RELAYED,
        TCP_BYTES_UPSTREAM,
        TCP_BYTES_DOWNSTREAM,
        TCP_UPSTREAM_FAILURES
    }

    private final String listener;
    private final Protocol protocol;
    private final long[] counters = new long[Counter.values().length];
    private final long[] responsesByClass = new long[HttpStats.STATUS_CLASSES];
    private final long[] proxyErrorsByStatus = new long[HttpStats.MAX_STATUS];
    private final RequestDurations durations = new RequestDurations();

    ListenerCounters(String listener, Protocol protocol) {
        this.listener = listener;
        this.protocol = protocol;
    }

    /** Adds one reactor's part; called on that reactor's thread, one reactor at a time. */
    synchronized void add(Listener socket, HttpStats http, int httpActive, TcpListenerWorker tcp) {
        counters[Counter.CONNECTIONS_ACCEPTED.ordinal()] += socket == null ? 0 : socket.acceptedCount();
        if (http != null) {
            counters[Counter.CONNECTIONS_ACTIVE.ordinal()] += httpActive;
            counters[Counter.HTTP_REQUESTS.ordinal()] += http.requests();
            counters[Counter.HTTP_UPSTREAM_REQUESTS.ordinal()] += http.upstreamRequests();
            counters[Counter.HTTP_LOCAL_RESPONSES.ordinal()] += http.localResponses();
            counters[Counter.HTTP_REJECTED_REQUESTS.ordinal()] += http.rejectedRequests();
            counters[Counter.HTTP_UPSTREAM_FAILURES.ordinal()] += http.upstreamFailures();
            counters[Counter.HTTP_BYTES_SPLICED.ordinal()] += http.bytesSpliced();
            counters[Counter.HTTP_BYTES_RELAYED.ordinal()] += http.bytesRelayed();
            for (int statusClass = 1; statusClass < HttpStats.STATUS_CLASSES; statusClass++) {
                responsesByClass[statusClass] += http.responses(statusClass);
            }
            for (int status = 0; status < HttpStats.MAX_STATUS; status++) {
                proxyErrorsByStatus[status] += http.proxyErrors(status);
            }
            durations.add(http.durations());
        }
        if (tcp != null) {
            counters[Counter.CONNECTIONS_ACTIVE.ordinal()] += tcp.activeSessions();
            counters[Counter.TCP_BYTES_UPSTREAM.ordinal()] += tcp.bytesUpstream();
            counters[Counter.TCP_BYTES_DOWNSTREAM.ordinal()] += tcp.bytesDownstream();
            counters[Counter.TCP_UPSTREAM_FAILURES.ordinal()] += tcp.upstreamFailures();
        }
    }

    String listener() {
        return listener;
    }

    Protocol protocol() {
        return protocol;
    }

    synchronized long get(Counter counter) {
        return counters[counter.ordinal()];
    }

    /** HTTP responses sent to clients with a status in {@code [100 * statusClass, 100 * statusClass + 99]}. */
    synchronized long responses(int statusClass) {
        return responsesByClass[statusClass];
    }

    /** How long the listener's requests took, all reactors together. */
    synchronized RequestDurations durations() {
        return durations;
    }

    /** Error responses the proxy generated itself with {@code status}. */
    synchronized long proxyErrors(int status) {
        return proxyErrorsByStatus[status];
    }
}
