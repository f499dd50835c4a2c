package dev.isthmus.perf.load;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Runs a load described by {@link LoadOptions} on N reactor threads and merges what they measured. */
public final class LoadGenerator {

    private static final int HISTOGRAM_DIGITS = 3;
    private static final Duration JOIN_SLACK = Duration.ofSeconds(30);

    private LoadGenerator() {
    }

    /** As {@link #run(LoadOptions, Runnable)} without a measurement-start callback. */
    public static LoadReport run(LoadOptions options) throws IOException, InterruptedException {
        return run(options, () -> { });
    }

    /**
     * Runs to completion; {@code onMeasureStart} runs on the calling thread when the warm-up ends and measuring begins
     * (so that a caller can snapshot the target's counters). IOException when the target cannot be resolved or a
     * load thread crashed.
     */
    public static LoadReport run(LoadOptions options, Runnable onMeasureStart) throws IOException, InterruptedException {
        InetSocketAddress target = new InetSocketAddress(InetAddress.getByName(options.host()), options.port());
        long startNanos = System.nanoTime();
        int threads = options.threads();
        List<LoadWorker> workers = new ArrayList<>(threads);
        List<Thread> running = new ArrayList<>(threads);
        for (int i = 0; i < threads; i++) {
            int connections = share(options.connections(), threads, i);
            long requests = options.requests() == 0 ? 0 : share(options.requests(), threads, i);
            double rate = (double) options.rate() * connections / options.connections();
            LoadWorker worker = new LoadWorker(i, options, target, connections, rate, requests, startNanos);
            workers.add(worker);
            running.add(Thread.ofPlatform().name("isthmus-load-" + i).start(worker));
        }
        long measureStart = startNanos + options.warmup().toNanos();
        // Not synchronization: the workers keep their own time; this only picks the moment to tell the caller.
        while (System.nanoTime() < measureStart && running.getFirst().isAlive()) {
            Thread.sleep(Duration.ofNanos(Math.max(0, measureStart - System.nanoTime())));
        }
        onMeasureStart.run();
        Duration limit = (options.requests() > 0 ? options.timeout().multipliedBy(options.requests())
                : options.duration().plus(options.timeout())).plus(JOIN_SLACK);
        for (Thread thread : running) {
            if (!thread.join(limit)) {
                throw new IOException(thread.getName() + " did not finish within " + limit.toSeconds() + " s");
            }
        }
        Histogram histogram = new Histogram(HISTOGRAM_DIGITS);
        Map<ErrorKind, Long> errors = new EnumMap<>(ErrorKind.class);
        long requests = 0;
        long bytes = 0;
        long duration = 0;
        Optional<String> firstError = Optional.empty();
        for (LoadWorker worker : workers) {
            if (worker.crash() != null) {
                throw new IOException("load thread failed: " + worker.crash(), worker.crash());
            }
            histogram.add(worker.histogram());
            requests += worker.completed();
            bytes += worker.bytes();
            duration = Math.max(duration, worker.elapsedNanos());
            for (ErrorKind kind : ErrorKind.values()) {
                errors.merge(kind, worker.errors(kind), Long::sum);
            }
            if (firstError.isEmpty() && worker.firstError() != null) {
                firstError = Optional.of(worker.firstError());
            }
        }
        return new LoadReport(options, histogram, requests, bytes, errors, duration, firstError);
    }

    // Spreads total over parts as evenly as whole numbers allow: the first (total % parts) get one more.
    static long share(long total, int parts, int index) {
        return total / parts + (index < total % parts ? 1 : 0);
    }

    private static int share(int total, int parts, int index) {
        return (int) share((long) total, parts, index);
    }
}
