package dev.isthmus.perf.bench;

import java.util.Locale;

/** A column group of the bench: one kind of traffic, with the connection count the issue fixes for it. */
public enum Workload {
    /** Small GET of {@code /}, closed loop: requests per second and latency under saturation. */
    SMALL_GET("small GET, 64 conns", BenchFiles.SMALL_PATH, 64),
    /** 16 KiB static file, closed loop: a response larger than one 16 KiB buffer, below the splice threshold. */
    MEDIUM_GET("16 KiB GET, 64 conns", BenchFiles.MEDIUM_PATH, 64),
    /** 1 MiB static file, closed loop: throughput for medium bodies. */
    MIB_GET("1 MiB GET, 8 conns", BenchFiles.MIB_PATH, 8),
    /** 64 MiB static file, closed loop: throughput where splice matters. */
    BIG_GET("64 MiB GET, 2 conns", BenchFiles.BIG_PATH, 2),
    /**
     * Small GET with {@code Connection: close}, each on a new connection, 64 at a time, closed loop: the cost of
     * accepting, proxying and closing a connection per request (clients without keep-alive, {@code ab} without -k).
     */
    NEW_CONNECTION_GET("small GET, a new connection each, 64 at a time", BenchFiles.SMALL_PATH, 64),
    /**
     * Small GET, {@value #PIPELINE_DEPTH} requests in flight on each of 16 connections, closed loop: what a proxy makes
     * of requests that wait behind one another on a connection (HTTP/1.1 pipelining), answered in order.
     */
    PIPELINED_GET("small GET, 16 conns x " + Workload.PIPELINE_DEPTH + " pipelined", BenchFiles.SMALL_PATH, 16),
    /** Small GET at a fixed rate with coordinated-omission correction: latency when not saturated. */
    OPEN_LOOP("open loop, small GET, 64 conns", BenchFiles.SMALL_PATH, 64),
    /** Many idle keep-alive connections: resident memory per connection. */
    IDLE_CONNECTIONS("idle keep-alive conns", BenchFiles.SMALL_PATH, 10_000),
    /**
     * The small GET on the direct row with isthmus-load and with wrk in turn: shows whether the load generator, not
     * the origin, is the limit (it must saturate the origin at least as well as wrk does).
     */
    LOADGEN_CHECK("load generator check: small GET on direct, 64 conns", BenchFiles.SMALL_PATH, 64);

    /** Requests in flight per connection in {@link #PIPELINED_GET}. */
    public static final int PIPELINE_DEPTH = 16;

    private final String label;
    private final String path;
    private final int connections;

    Workload(String label, String path, int connections) {
        this.label = label;
        this.path = path;
        this.connections = connections;
    }

    public String label() {
        return label;
    }

    public String path() {
        return path;
    }

    public int connections() {
        return connections;
    }

    /** True when a load tool drives it for a duration (everything but the idle-connections probe). */
    public boolean isTimed() {
        return this != IDLE_CONNECTIONS;
    }

    /** Requests the load keeps in flight on each connection: 1 but for {@link #PIPELINED_GET}. */
    public int pipelineDepth() {
        return this == PIPELINED_GET ? PIPELINE_DEPTH : 1;
    }

    /** True when every request goes on a connection of its own. */
    public boolean closesEachConnection() {
        return this == NEW_CONNECTION_GET;
    }

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
