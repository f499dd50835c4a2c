package dev.isthmus.proxy.http;

import dev.isthmus.http1.RequestHead;

import java.lang.foreign.MemorySegment;

/**
 * What one client connection tells its listener about each request: the request and response counters of
 * {@link HttpStats}, the request's duration in {@link RequestDurations}, and its access log line. One per connection,
 * reused request after request; the {@link AccessLogEntry} is made once, at the first request of a connection whose
 * listener logs, so nothing here allocates per request. It reaches the counters, the log and the clock through the
 * worker rather than holding each: every connection has one, idle ones too. Confined to the reactor thread.
 */
final class ExchangeRecord {
    /** {@link #startNanos} when no parsed request awaits its response (timing only what requests_total counts). */
    private static final long NOT_TIMED = Long.MIN_VALUE;

    private final HttpListenerWorker worker;
    private final byte[] clientIp;
    private long startNanos = NOT_TIMED;
    private AccessLogEntry entry;

    ExchangeRecord(HttpListenerWorker worker, byte[] clientIp) {
        this.worker = worker;
        this.clientIp = clientIp;
    }

    /** A request head parsed: it is counted, and its time starts. */
    void requestParsed(RequestHead head) {
        worker.stats.requests++;
        startNanos = worker.reactor.nowNanos();
        if (worker.accessLog != null) {
            entry().begin(head, startNanos);
        }
    }

    /**
     * The proxy answers bytes that never parsed as a request head ({@code [from, to)} of {@code bytes}, which may be
     * null when nothing arrived): a malformed head, or one that did not arrive in time. Its log line shows them; an
     * entry of a request that did parse is kept.
     */
    void unparsedHead(MemorySegment bytes, long from, long to) {
        if (worker.accessLog != null && !entry().isOpen()) {
            entry.beginUnparsed(bytes, from, bytes == null ? from : to, worker.reactor.nowNanos());
        }
    }

    /** A final response head went to the client; {@code bodyBytes} of its body went with it. */
    void responded(int status, long bodyBytes) {
        worker.stats.response(status);
        if (entry != null) {
            entry.status = status;
            entry.bodyBytes = bodyBytes;
        }
    }

    void responseBodyMoved(long bytes) {
        if (entry != null) {
            entry.bodyBytes += bytes;
        }
    }

    void upstream(UpstreamConnection connection) {
        if (entry != null) {
            entry.upstream = connection.pool.endpointHost(connection.endpoint);
        }
    }

    /** The response is all out: its time goes into the listener's histogram, and its line into the access log. */
    void responseSent() {
        requestEnded();
        if (startNanos != NOT_TIMED) {
            worker.stats.durations.record(worker.reactor.nowNanos() - startNanos);
            startNanos = NOT_TIMED;
        }
    }

    /** The request in hand is done with, answered or not: its access log line, once. */
    void requestEnded() {
        if (entry != null && entry.isOpen()) {
            worker.accessLog.write(clientIp, entry, worker.reactor.nowNanos());
        }
    }

    private AccessLogEntry entry() {
        if (entry == null) {
            entry = new AccessLogEntry();
        }
        return entry;
    }
}
