package dev.isthmus.proxy.http;

/**
 * Counters of one HTTP listener on one reactor. Written only by the reactor thread (plain increments of volatile
 * fields: a single writer needs no atomics); read by any thread as a slightly stale snapshot.
 */
public final class HttpStats {
    /** Responses are counted by status class, 1xx to 5xx, indexed by the hundreds digit. */
    public static final int STATUS_CLASSES = 6;
    private static final int STATUS_CLASS_DIVISOR = 100;
    /** The proxy's own error responses are counted by status, all below this. */
    public static final int MAX_STATUS = STATUS_CLASSES * STATUS_CLASS_DIVISOR;

    volatile long requests;
    volatile long upstreamRequests;
    volatile long localResponses;
    volatile long rejectedRequests;
    volatile long upstreamFailures;
    volatile long bytesSpliced;
    volatile long bytesRelayed;
    private final long[] responsesByClass = new long[STATUS_CLASSES];
    private final long[] errorsByStatus = new long[MAX_STATUS];
    /** Unlike the counters, read only on the reactor thread (the admin endpoint posts its copy there). */
    final RequestDurations durations = new RequestDurations();

    void response(int status) {
        int statusClass = status / STATUS_CLASS_DIVISOR;
        if (statusClass > 0 && statusClass < STATUS_CLASSES) {
            responsesByClass[statusClass]++;
        }
    }

    void proxyError(int status) {
        if (status > 0 && status < errorsByStatus.length) {
            errorsByStatus[status]++;
        }
    }

    /** Reactor thread only. */
    public RequestDurations durations() {
        return durations;
    }

    public long requests() {
        return requests;
    }

    public long upstreamRequests() {
        return upstreamRequests;
    }

    public long localResponses() {
        return localResponses;
    }

    public long rejectedRequests() {
        return rejectedRequests;
    }

    public long upstreamFailures() {
        return upstreamFailures;
    }

    /** Body bytes moved by splice(2), never entering the JVM. */
    public long bytesSpliced() {
        return bytesSpliced;
    }

    /** Body bytes relayed through a chunk (small and chunked bodies). */
    public long bytesRelayed() {
        return bytesRelayed;
    }

    /** Responses sent to clients with a status in {@code [100 * statusClass, 100 * statusClass + 99]}. */
    public long responses(int statusClass) {
        return responsesByClass[statusClass];
    }

    /** Error responses the proxy itself generated with {@code status} (400, 404, 502, 503, 504...). */
    public long proxyErrors(int status) {
        return errorsByStatus[status];
    }
}
