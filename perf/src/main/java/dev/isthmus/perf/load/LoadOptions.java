package dev.isthmus.perf.load;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * What one isthmus-load run does.
 *
 * @param host literal IP or name of the target (resolved once at start)
 * @param port target port
 * @param path request target (origin-form)
 * @param method request method
 * @param bodySize bytes of request body (sent with Content-Length when positive)
 * @param connections keep-alive connections, spread over the threads
 * @param threads reactor threads
 * @param duration how long to measure; ignored when {@code requests} is positive
 * @param warmup how long to run the same load before measuring (JIT, connection setup, server caches)
 * @param requests total requests to complete, or 0 to run for {@code duration}
 * @param rate requests per second for open loop, 0 for closed loop
 * @param pipeline requests in flight per connection
 * @param closeEach every request on a new connection: it asks for the close ({@code Connection: close}), and the
 *                  connection is closed after its response and opened again, as {@code ab} without {@code -k} does
 * @param timeout a request not answered within this is counted as a timeout and its connection replaced
 * @param hgrm where to write the latency histogram as a percentile distribution, if anywhere
 * @param json where to write the JSON summary, if anywhere
 * @param quiet print only the result line
 * @param spin open loop: poll epoll_wait without sleeping near due times (precise to microseconds, costs a core)
 *             rather than park the thread (about 50 µs of slack)
 */
public record LoadOptions(String host, int port, String path, String method, int bodySize, int connections,
                          int threads, Duration duration, Duration warmup, long requests, long rate, int pipeline,
                          boolean closeEach, Duration timeout, Optional<Path> hgrm, Optional<Path> json, boolean quiet,
                          boolean spin) {

    public static final String USAGE = """
            usage: isthmus-load [options] http://HOST:PORT/PATH
              -c, --connections N   keep-alive connections (default 64)
              -t, --threads N       reactor threads (default 1)
              -d, --duration T      run time: 10, 10s, 500ms, 1m (default 10s)
              -n, --requests N      complete N requests instead of running for a duration
              -w, --warmup T        run the load for T before measuring (default 0)
              -R, --rate N          open loop: N requests/s on a fixed schedule, latency corrected for
                                    coordinated omission (default: closed loop, as fast as possible)
              -p, --pipeline N      requests in flight per connection (default 1)
                  --close           a new connection for every request (Connection: close), the
                                    cost of connection setup and teardown; -c connections at a time
              -m, --method M        request method (default GET)
              -b, --body-size N     request body bytes (default 0)
                  --timeout T       request timeout (default 10s)
                  --hgrm FILE       write the latency histogram (HdrHistogram percentile distribution, µs)
                  --json FILE       write a JSON summary
                  --spin / --no-spin  open loop: poll near due times (µs-precise, costs a core) or park
                                    (about 50 µs of slack); default: spin with 4 or more CPUs
                  --quiet           machine-readable output only: ISTHMUS-LOAD-MEASURING when the warm-up
                                    ends, then the ISTHMUS-LOAD-RESULT line
              -h, --help            this text
            """;

    private static final int DEFAULT_CONNECTIONS = 64;
    private static final Duration DEFAULT_DURATION = Duration.ofSeconds(10);
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    private static final int MAX_PIPELINE = 1024;
    // A polling generator takes a core; below this many it would take it from the server it measures.
    private static final int SPIN_MIN_CPUS = 4;

    public LoadOptions {
        if (connections < 1 || threads < 1 || pipeline < 1 || pipeline > MAX_PIPELINE || bodySize < 0
                || requests < 0 || rate < 0) {
            throw new IllegalArgumentException("connections, threads and pipeline (<= " + MAX_PIPELINE
                    + ") must be >= 1; body size, requests and rate must be >= 0");
        }
        if (closeEach && pipeline > 1) {
            throw new IllegalArgumentException("--close sends one request per connection: no --pipeline with it");
        }
        if (threads > connections) {
            throw new IllegalArgumentException("threads (" + threads + ") cannot exceed connections (" + connections + ")");
        }
        if (requests == 0 && (duration.isZero() || duration.isNegative())) {
            throw new IllegalArgumentException("duration must be positive");
        }
        if (warmup.isNegative() || (requests > 0 && !warmup.isZero())) {
            throw new IllegalArgumentException("warm-up must be >= 0, and only with a duration (not with --requests)");
        }
        if (!method.chars().allMatch(c -> c > ' ' && c < 127 && c != ':')) {
            throw new IllegalArgumentException("bad method '" + method + "'");
        }
    }

    public boolean isOpenLoop() {
        return rate > 0;
    }

    /** Parses the command line; IllegalArgumentException with a message fit for the user on any mistake. */
    public static LoadOptions parse(String[] args) {
        int connections = DEFAULT_CONNECTIONS;
        int threads = 1;
        Duration duration = DEFAULT_DURATION;
        Duration warmup = Duration.ZERO;
        long requests = 0;
        long rate = 0;
        int pipeline = 1;
        boolean closeEach = false;
        String method = "GET";
        int bodySize = 0;
        Duration timeout = DEFAULT_TIMEOUT;
        Optional<Path> hgrm = Optional.empty();
        Optional<Path> json = Optional.empty();
        boolean quiet = false;
        boolean spin = Runtime.getRuntime().availableProcessors() >= SPIN_MIN_CPUS;
        String url = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "-c", "--connections" -> connections = (int) number(arg, value(args, ++i, arg));
                case "-t", "--threads" -> threads = (int) number(arg, value(args, ++i, arg));
                case "-d", "--duration" -> duration = duration(value(args, ++i, arg));
                case "-w", "--warmup" -> warmup = duration(value(args, ++i, arg));
                case "-n", "--requests" -> requests = number(arg, value(args, ++i, arg));
                case "-R", "--rate" -> rate = number(arg, value(args, ++i, arg));
                case "-p", "--pipeline" -> pipeline = (int) number(arg, value(args, ++i, arg));
                case "--close" -> closeEach = true;
                case "-m", "--method" -> method = value(args, ++i, arg).toUpperCase(Locale.ROOT);
                case "-b", "--body-size" -> bodySize = (int) number(arg, value(args, ++i, arg));
                case "--timeout" -> timeout = duration(value(args, ++i, arg));
                case "--hgrm" -> hgrm = Optional.of(Path.of(value(args, ++i, arg)));
                case "--json" -> json = Optional.of(Path.of(value(args, ++i, arg)));
                case "--quiet" -> quiet = true;
                case "--spin" -> spin = true;
                case "--no-spin" -> spin = false;
                default -> {
                    if (arg.startsWith("-")) {
                        throw new IllegalArgumentException("unknown option " + arg);
                    }
                    if (url != null) {
                        throw new IllegalArgumentException("only one URL, got " + url + " and " + arg);
                    }
                    url = arg;
                }
            }
        }
        if (url == null) {
            throw new IllegalArgumentException("no URL given");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("bad URL " + url + ": " + e.getReason());
        }
        if (!"http".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("URL must be http://HOST[:PORT]/PATH, got " + url);
        }
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (uri.getRawQuery() != null) {
            path += "?" + uri.getRawQuery();
        }
        int port = uri.getPort() < 0 ? 80 : uri.getPort();
        return new LoadOptions(uri.getHost(), port, path, method, bodySize, connections, threads, duration, warmup,
                requests, rate, pipeline, closeEach, timeout, hgrm, json, quiet, spin);
    }

    private static String value(String[] args, int index, String option) {
        if (index >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[index];
    }

    private static long number(String option, String text) {
        try {
            long value = Long.parseLong(text.replace("_", ""));
            if (value < 0 || value > Integer.MAX_VALUE && !option.equals("-n") && !option.equals("--requests")) {
                throw new IllegalArgumentException(option + " is out of range: " + text);
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a whole number, got '" + text + "'");
        }
    }

    /** Parses {@code 10}, {@code 10s}, {@code 500ms} or {@code 2m}. */
    public static Duration duration(String text) {
        String value = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (value.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2)));
            }
            if (value.endsWith("s")) {
                return Duration.ofSeconds(Long.parseLong(value.substring(0, value.length() - 1)));
            }
            if (value.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(value.substring(0, value.length() - 1)));
            }
            return Duration.ofSeconds(Long.parseLong(value));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad duration '" + text + "' (examples: 10, 10s, 500ms, 2m)");
        }
    }
}
