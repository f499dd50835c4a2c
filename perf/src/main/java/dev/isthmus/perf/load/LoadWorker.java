package dev.isthmus.perf.load;

import dev.isthmus.bindings.SocketAddresses;
import dev.isthmus.bindings.SyscallException;
import dev.isthmus.http1.HttpMethod;
import dev.isthmus.reactor.BufferPool;
import dev.isthmus.reactor.EpollReactor;
import dev.isthmus.reactor.ReactorOptions;
import org.HdrHistogram.Histogram;

import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/**
 * One load-generator thread: an {@link EpollReactor} of the project, its share of the connections, its share of the
 * request rate (open loop) or of the request count, and its own latency histogram. Everything here is confined to the
 * thread that runs {@link #run}; the generator reads the results only after joining that thread.
 */
final class LoadWorker implements Runnable {

    /** 64 KiB reads: a quarter of the syscalls wrk's 8 KiB buffer makes on big bodies. */
    static final int READ_BUFFER_BYTES = 64 * 1024;
    private static final int HISTOGRAM_DIGITS = 3;
    private static final int PIPE_SIZE_UNUSED = 64 * 1024;
    private static final int EVENTS_PER_WAIT = 1024;
    private static final long NANOS_PER_MILLI = 1_000_000L;
    private static final long SWEEP_INTERVAL_NANOS = 100 * NANOS_PER_MILLI;
    private static final long RECONNECT_BACKOFF_NANOS = 10 * NANOS_PER_MILLI;
    // Closer than this to the next due time, the loop polls (or, without --spin, naps) instead of sleeping in
    // epoll_wait, whose millisecond timeout would otherwise add up to a millisecond to every open-loop latency.
    private static final long SPIN_THRESHOLD_NANOS = 2 * NANOS_PER_MILLI;
    private static final int MAX_WAIT_MILLIS = 10;

    private final int index;
    private final LoadOptions options;
    private final InetSocketAddress target;
    private final int connectionCount;
    private final double rate;
    private final long requestLimit;
    private final Histogram histogram = new Histogram(HISTOGRAM_DIGITS);
    private final long[] errors = new long[ErrorKind.values().length];
    private final ArrayDeque<LoadConnection> reconnects = new ArrayDeque<>();
    private LoadConnection[] readyToSend;
    private int readyCount;
    private EpollReactor reactor;
    private MemorySegment address;
    private int addressLength;
    private RequestTemplate template;
    private LoadConnection[] connections;
    private OpenLoopSchedule schedule;
    private final long startNanos;
    private long measureStartNanos;
    private boolean measuring;
    private long endNanos;
    private long elapsedNanos;
    private long completed;
    private long lost;
    private long bytes;
    private long issued;
    private int cursor;
    private long nextReconnectNanos;
    private String firstError;
    private Throwable crash;

    LoadWorker(int index, LoadOptions options, InetSocketAddress target, int connectionCount, double rate,
               long requestLimit, long startNanos) {
        this.index = index;
        this.startNanos = startNanos;
        this.options = options;
        this.target = target;
        this.connectionCount = connectionCount;
        this.rate = rate;
        this.requestLimit = requestLimit;
    }

    @Override
    public void run() {
        try {
            reactor = new EpollReactor("isthmus-load-" + index, new ReactorOptions(EVENTS_PER_WAIT, EVENTS_PER_WAIT,
                    READ_BUFFER_BYTES, connectionCount, PIPE_SIZE_UNUSED, 0));
        } catch (SyscallException | RuntimeException e) {
            crash = e;
            return;
        }
        try {
            setUp();
            loop();
        } catch (RuntimeException | Error e) {
            crash = e;
        } finally {
            reactor.close();
        }
    }

    private void setUp() {
        address = reactor.arena().allocate(SocketAddresses.MAX_LENGTH, Long.BYTES);
        addressLength = SocketAddresses.write(address, target);
        template = RequestTemplate.build(options, options.pipeline(), reactor.arena());
        HttpMethod method = methodOf(options.method());
        BufferPool buffers = reactor.buffers();
        connections = new LoadConnection[connectionCount];
        readyToSend = new LoadConnection[connectionCount];
        measureStartNanos = startNanos + options.warmup().toNanos();
        endNanos = options.requests() > 0 ? Long.MAX_VALUE : measureStartNanos + options.duration().toNanos();
        if (options.isOpenLoop()) {
            schedule = new OpenLoopSchedule(startNanos, rate);
        }
        for (int i = 0; i < connectionCount; i++) {
            connections[i] = new LoadConnection(this, buffers.acquire(), method, options.pipeline(),
                    options.closeEach());
            connections[i].connect();
        }
    }

    private void loop() {
        long nextSweep = startNanos + SWEEP_INTERVAL_NANOS;
        while (true) {
            long now = System.nanoTime();
            if (now >= endNanos || (requestLimit > 0 && completed + lost >= requestLimit)) {
                elapsedNanos = Math.min(now, endNanos) - measureStartNanos;
                return;
            }
            if (schedule != null) {
                if (!measuring && now >= measureStartNanos) {
                    // The measured schedule starts afresh: whatever the warm-up left undone is dropped, not queued.
                    schedule = new OpenLoopSchedule(measureStartNanos, rate);
                    issued = 0;
                }
                dispatchDue(now);
            }
            measuring = now >= measureStartNanos;
            if (now >= nextSweep) {
                sweepTimeouts(now);
                nextSweep = now + SWEEP_INTERVAL_NANOS;
            }
            if (!reconnects.isEmpty() && now >= nextReconnectNanos) {
                reconnectAll();
            }
            int work = reactor.runOnce(waitMillis(now));
            sendReady();
            if (work == 0 && !options.spin()) {
                napUntilDue();
            }
        }
    }

    // Closed loop: the next requests go out only after every event of the batch has been handled, as wrk does; the
    // server then finds a burst of requests per wake-up instead of being woken once per request.
    private void sendReady() {
        for (int i = 0; i < readyCount; i++) {
            LoadConnection connection = readyToSend[i];
            readyToSend[i] = null;
            connection.markQueued(false);
            if (connection.canSend()) {
                fill(connection);
            }
        }
        readyCount = 0;
    }

    private void queueSend(LoadConnection connection) {
        if (!connection.isQueued()) {
            connection.markQueued(true);
            readyToSend[readyCount++] = connection;
        }
    }

    private int waitMillis(long now) {
        long until = Math.min(endNanos, now + MAX_WAIT_MILLIS * NANOS_PER_MILLI);
        if (schedule != null && issuing()) {
            long due = schedule.dueNanos(issued);
            if (due > now && due - now < SPIN_THRESHOLD_NANOS) {
                return 0;
            }
            if (due > now) {
                until = Math.min(until, due - SPIN_THRESHOLD_NANOS / 2);
            }
        }
        return (int) Math.max(0, (until - now) / NANOS_PER_MILLI);
    }

    // Without a core to spare for polling, the last stretch before a due time is slept with the JVM's nanosecond
    // park (about 50 µs of timer slack) instead; a response arriving meanwhile waits at most that long.
    private void napUntilDue() {
        if (schedule == null || !issuing()) {
            return;
        }
        long gap = schedule.dueNanos(issued) - System.nanoTime();
        if (gap > 0 && gap < SPIN_THRESHOLD_NANOS) {
            LockSupport.parkNanos(gap);
        }
    }

    private boolean issuing() {
        return requestLimit == 0 || issued < requestLimit;
    }

    // Requests whose time has come go out on any connection with a free slot; with none free they stay due, and
    // their latency keeps growing from the scheduled time: the coordinated-omission correction.
    private void dispatchDue(long now) {
        long due = schedule.dueNanos(issued);
        while (due <= now && issuing()) {
            LoadConnection connection = nextSendable();
            if (connection == null) {
                return;
            }
            connection.send(1, due);
            issued++;
            due = schedule.dueNanos(issued);
        }
    }

    private LoadConnection nextSendable() {
        for (int i = 0; i < connections.length; i++) {
            LoadConnection candidate = connections[cursor];
            cursor = cursor + 1 == connections.length ? 0 : cursor + 1;
            if (candidate.canSend()) {
                return candidate;
            }
        }
        return null;
    }

    private void sweepTimeouts(long now) {
        long limit = options.timeout().toNanos();
        for (LoadConnection connection : connections) {
            if (connection.inFlight() > 0 && now - connection.oldestSentNanos() > limit) {
                int unanswered = connection.inFlight();
                connection.close();
                onFailure(connection, ErrorKind.TIMEOUT, unanswered,
                        "no response within " + options.timeout().toMillis() + " ms");
            }
        }
    }

    private void reconnectAll() {
        int count = reconnects.size();
        for (int i = 0; i < count; i++) {
            reconnects.poll().connect();
        }
    }

    EpollReactor reactor() {
        return reactor;
    }

    MemorySegment address() {
        return address;
    }

    int addressLength() {
        return addressLength;
    }

    RequestTemplate template() {
        return template;
    }

    void onConnected(LoadConnection connection) {
        if (schedule == null) {
            queueSend(connection);
        }
    }

    /**
     * A response completed. It is counted when it completed inside the measured window; in open loop it must also
     * have been due inside it, so that a backlog left by the warm-up is not charged to the measurement.
     */
    void onResponse(LoadConnection connection, long dueNanos, long responseBytes, boolean statusError) {
        long now = System.nanoTime();
        boolean measured = now <= endNanos
                && (schedule != null ? dueNanos >= measureStartNanos : now >= measureStartNanos);
        if (measured) {
            completed++;
            bytes += responseBytes;
            histogram.recordValue(Math.max(0, now - dueNanos));
            if (statusError) {
                errors[ErrorKind.STATUS.ordinal()]++;
            }
        }
        if (schedule == null) {
            queueSend(connection);
        }
    }

    /** The server closed the connection after a response (Connection: close); open another at once. */
    void onServerClose(LoadConnection connection, int unanswered) {
        if (unanswered > 0) {
            onFailure(connection, ErrorKind.READ, unanswered, "server closed with pipelined requests unanswered");
            return;
        }
        if (connectionWanted()) {
            connection.connect();
        }
    }

    /** The server closed an idle keep-alive connection. */
    void onIdleClose(LoadConnection connection) {
        if (connectionWanted()) {
            connection.connect();
        }
    }

    /**
     * Whether a connection opened now would carry a request: always when running for a duration; with a request
     * count, not once every request left is spoken for by a connection about to send it (a run of {@code --close}
     * would otherwise open connections at its end that the server accepts for nothing).
     */
    private boolean connectionWanted() {
        // Only the last requests of a run can all be spoken for: before them, skip the scan of every connection.
        if (requestLimit == 0 || issued + connections.length < requestLimit) {
            return true;
        }
        long spokenFor = issued;
        for (LoadConnection other : connections) {
            boolean aboutToSend = other.state() == LoadConnection.State.CONNECTING
                    || (other.state() == LoadConnection.State.OPEN && other.inFlight() == 0);
            if (aboutToSend) {
                spokenFor++;
            }
        }
        return spokenFor < requestLimit;
    }

    void onFailure(LoadConnection connection, ErrorKind kind, int unanswered, String why) {
        if (System.nanoTime() >= measureStartNanos) {
            errors[kind.ordinal()] += unanswered;
        }
        if (kind != ErrorKind.CONNECT) {
            lost += unanswered;
        }
        if (firstError == null) {
            firstError = kind.key() + ": " + why;
        }
        if (kind == ErrorKind.CONNECT) {
            // Back off a little so that a target that is down is not hammered in a tight loop.
            if (reconnects.isEmpty()) {
                nextReconnectNanos = System.nanoTime() + RECONNECT_BACKOFF_NANOS;
            }
            reconnects.add(connection);
            if (requestLimit > 0) {
                lost += unanswered;
            }
        } else {
            connection.connect();
        }
    }

    private void fill(LoadConnection connection) {
        int free = options.pipeline() - connection.inFlight();
        long budget = requestLimit == 0 ? free : Math.min(free, requestLimit - issued);
        if (budget > 0 && connection.canSend()) {
            connection.send((int) budget, System.nanoTime());
            issued += budget;
        }
    }

    private static HttpMethod methodOf(String name) {
        try {
            return HttpMethod.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return HttpMethod.EXTENSION;
        }
    }

    Histogram histogram() {
        return histogram;
    }

    long completed() {
        return completed;
    }

    long bytes() {
        return bytes;
    }

    long errors(ErrorKind kind) {
        return errors[kind.ordinal()];
    }

    long elapsedNanos() {
        return elapsedNanos;
    }

    String firstError() {
        return firstError;
    }

    Throwable crash() {
        return crash;
    }
}
