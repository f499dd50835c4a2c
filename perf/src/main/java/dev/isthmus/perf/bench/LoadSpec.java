package dev.isthmus.perf.bench;

import java.time.Duration;

/**
 * One load run as the bench asks for it.
 *
 * @param port the loopback port of the target
 * @param path request path
 * @param connections keep-alive connections
 * @param threads load generator threads
 * @param duration how long to measure
 * @param warmup how long to run the same load before measuring
 * @param rate requests per second for an open-loop run, 0 for closed loop
 * @param closeEach every request on a new connection, asking for the close
 * @param pipeline requests kept in flight on each connection (1: one at a time)
 */
public record LoadSpec(int port, String path, int connections, int threads, Duration duration, Duration warmup,
                       long rate, boolean closeEach, int pipeline) {

    public String url() {
        return "http://127.0.0.1:" + port + path;
    }

    public boolean isOpenLoop() {
        return rate > 0;
    }

}
