package dev.isthmus.proxy.config;

import java.time.Duration;
import java.util.Objects;

/**
 * The per-listener limits and timeouts; every field has a default so a listener may omit them all.
 *
 * @param requestHeadTimeout   time allowed from the first byte of a request to the end of its head (http only)
 * @param idleTimeout          a keep-alive (http) or silent (tcp) downstream connection is closed after this
 * @param streamIdleTimeout    an exchange on which nothing moved either way for this long ends (http only): 503 while
 *                             waiting for an upstream connection, 408 for a stalled upload, a cut connection for a
 *                             stalled response
 * @param maxConnections       accepted downstream connections open at once, per worker; beyond it accept waits
 * @param maxRequestHeadBytes  largest request head (request line + headers) accepted, else 431 (http only)
 * @param maxHeaders           most header fields in one request head, else 431 (http only)
 * @param maxRequestBodyBytes  largest request body forwarded, else 413 (http only); {@link #NO_BODY_LIMIT} for none
 * @param spliceThresholdBytes bodies longer than this move by splice(2); shorter ones by writev from the chunk
 * @param drainTimeout         on SIGTERM/SIGINT, in-flight work gets this long before connections are closed
 */
public record ListenerLimits(
        Duration requestHeadTimeout,
        Duration idleTimeout,
        Duration streamIdleTimeout,
        int maxConnections,
        int maxRequestHeadBytes,
        int maxHeaders,
        long maxRequestBodyBytes,
        int spliceThresholdBytes,
        Duration drainTimeout) {

    public static final Duration DEFAULT_REQUEST_HEAD_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
    /** nginx's default for the same three cases (proxy_read_timeout, send_timeout, client_body_timeout). */
    public static final Duration DEFAULT_STREAM_IDLE_TIMEOUT = Duration.ofSeconds(60);
    public static final int DEFAULT_MAX_CONNECTIONS = 100_000;
    public static final int DEFAULT_MAX_REQUEST_HEAD_BYTES = 64 * 1024;
    public static final int DEFAULT_MAX_HEADERS = 100;
    /** As Envoy and HAProxy, and unlike nginx's 1 MiB: a proxy in front of uploads should not cap them unasked. */
    public static final long NO_BODY_LIMIT = Long.MAX_VALUE;
    public static final int DEFAULT_SPLICE_THRESHOLD_BYTES = 64 * 1024;
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(10);

    public static final ListenerLimits DEFAULTS = new ListenerLimits(
            DEFAULT_REQUEST_HEAD_TIMEOUT,
            DEFAULT_IDLE_TIMEOUT,
            DEFAULT_STREAM_IDLE_TIMEOUT,
            DEFAULT_MAX_CONNECTIONS,
            DEFAULT_MAX_REQUEST_HEAD_BYTES,
            DEFAULT_MAX_HEADERS,
            NO_BODY_LIMIT,
            DEFAULT_SPLICE_THRESHOLD_BYTES,
            DEFAULT_DRAIN_TIMEOUT);

    public ListenerLimits {
        Objects.requireNonNull(requestHeadTimeout, "requestHeadTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(streamIdleTimeout, "streamIdleTimeout");
        Objects.requireNonNull(drainTimeout, "drainTimeout");
        if (maxRequestBodyBytes < 0) {
            throw new IllegalArgumentException("negative maxRequestBodyBytes " + maxRequestBodyBytes);
        }
    }
}
