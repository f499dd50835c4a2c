package dev.isthmus.perf.bench;

import java.time.Duration;

/**
 * One load run as the bench asks for it.
 *
 * @param port the loopback port of the target
 * @param path request path
 * @param connections keep-alive connections
 * @param threads load generator threads
 * @param duration how long to run
 * @param rate requests per second for an open-loop run, 0 for closed loop
 */
public record LoadSpec(int port, String path, int connections, int threads, Duration duration, long rate) {

    public String url() {
        return "http://127.0.0.1:" + port + path;
    }

    public boolean isOpenLoop() {
        return rate > 0;
    }

    public LoadSpec withDuration(Duration other) {
        return new LoadSpec(port, path, connections, threads, other, rate);
    }
}
