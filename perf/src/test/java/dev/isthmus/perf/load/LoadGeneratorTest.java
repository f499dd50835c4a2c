package dev.isthmus.perf.load;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The load generator against a real local origin: what it counts must be what happened on the wire. */
@Timeout(30)
class LoadGeneratorTest {

    private static final long MILLIS = TimeUnit.MILLISECONDS.toNanos(1);

    private static LoadReport run(String... args) throws IOException, InterruptedException {
        return LoadGenerator.run(LoadOptions.parse(args));
    }

    @Test
    void countsRequestsBytesAndLatenciesExactly() throws Exception {
        try (TestOrigin origin = new TestOrigin()) {
            LoadReport report = run("-c", "4", "-t", "2", "-n", "1000", origin.url("/"));
            assertEquals(1000, report.requests());
            assertEquals(1000, origin.requests(), "no request sent beyond the count");
            assertEquals(1000, report.histogram().getTotalCount(), "one latency per completed request");
            assertEquals(1000L * TestOrigin.OK.length, report.bytes());
            assertEquals(0, report.toResult().totalErrors());
            assertTrue(report.firstError().isEmpty());
        }
    }

    @Test
    void pipelinedRequestsAllComplete() throws Exception {
        try (TestOrigin origin = new TestOrigin()) {
            LoadReport report = run("-c", "2", "-p", "8", "-n", "800", "-m", "POST", "-b", "100", origin.url("/"));
            assertEquals(800, report.requests());
            assertEquals(800, origin.requests());
            assertEquals(0, report.toResult().totalErrors());
        }
    }

    @Test
    void closeEachSendsEveryRequestOnAConnectionOfItsOwn() throws Exception {
        try (TestOrigin origin = new TestOrigin()) {
            LoadReport report = run("-c", "4", "-n", "200", "--close", origin.url("/"));
            assertEquals(200, report.requests());
            assertEquals(0, report.toResult().totalErrors());
            assertEquals(200, origin.askedToClose(), "every request says Connection: close");
            assertEquals(0, origin.laterOnAConnection(), "closed after its response, though the origin kept it open");
            assertEquals(200, origin.accepted(), "no connection opened once every request was sent");
        }
    }

    @Test
    void errorStatusesAreCompletedRequestsAndStatusErrors() throws Exception {
        try (TestOrigin origin = new TestOrigin()) {
            LoadReport report = run("-c", "2", "-n", "50", origin.url("/fail"));
            assertEquals(50, report.requests());
            assertEquals(50, report.errors().get(ErrorKind.STATUS));
            assertEquals(50L * TestOrigin.FAIL.length, report.bytes());
        }
    }

    @Test
    void chunkedBodiesAreFramedByTheDecoder() throws Exception {
        try (TestOrigin origin = new TestOrigin()) {
            LoadReport report = run("-c", "3", "-p", "2", "-n", "300", origin.url("/chunked"));
            assertEquals(300, report.requests());
            assertEquals(300L * TestOrigin.CHUNKED.length, report.bytes());
            assertEquals(0, report.toResult().totalErrors());
        }
    }

    @Test
    void refusedConnectionsAreConnectErrors() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        LoadReport report = run("-c", "1", "-n", "3", "http://127.0.0.1:" + closedPort + "/");
        assertEquals(0, report.requests());
        assertEquals(3, report.errors().get(ErrorKind.CONNECT));
        assertTrue(report.firstError().orElseThrow().contains("ECONNREFUSED"), report.firstError().orElseThrow());
    }

    @Test
    void aResponseCutShortIsAReadError() throws Exception {
        try (TestOrigin origin = new TestOrigin()) {
            LoadReport report = run("-c", "1", "-n", "5", origin.url("/truncate"));
            assertEquals(0, report.requests());
            assertEquals(5, report.errors().get(ErrorKind.READ));
            assertEquals(5, origin.requests());
        }
    }

    @Test
    void unansweredRequestsTimeOut() throws Exception {
        try (TestOrigin origin = new TestOrigin()) {
            LoadReport report = run("-c", "1", "-n", "2", "--timeout", "200ms", origin.url("/hang"));
            assertEquals(0, report.requests());
            assertEquals(2, report.errors().get(ErrorKind.TIMEOUT));
        }
    }

    @Test
    void durationRunsMeasureExactlyTheirDurationAfterTheWarmup() throws Exception {
        try (TestOrigin origin = new TestOrigin()) {
            LoadReport report = run("-c", "2", "-w", "200ms", "-d", "300ms", origin.url("/"));
            assertEquals(300 * MILLIS, report.durationNanos());
            assertTrue(report.requests() > 0);
            assertTrue(origin.requests() > report.requests(), "warm-up requests are not counted");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"--spin", "--no-spin"})
    void openLoopNeverSendsAheadOfTheSchedule(String waiting) throws Exception {
        try (TestOrigin origin = new TestOrigin()) {
            LoadReport report = run(waiting, "-c", "4", "-R", "1000", "-n", "100", origin.url("/"));
            assertEquals(100, report.requests());
            // The 100th request is due 99 ms after the start; the run cannot end before it is sent.
            assertTrue(report.durationNanos() >= 99 * MILLIS, "ran " + report.durationNanos() / MILLIS + " ms");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"--spin", "--no-spin"})
    void openLoopChargesAStallToEveryRequestThatWaitedForIt(String waiting) throws Exception {
        try (TestOrigin origin = new TestOrigin(20, 200)) {
            LoadReport report = run(waiting, "-c", "1", "-R", "500", "-n", "200", origin.url("/stall"));
            assertEquals(200, report.requests());
            // Requests fall due every 2 ms while the single connection waits 200 ms for one answer; measured from
            // their due times, about half of the ~100 that queued behind the stall waited 100 ms or more. A
            // generator that measured from the actual send would report one slow request.
            long slow = report.histogram().getCountBetweenValues(100 * MILLIS, report.histogram().getMaxValue());
            assertTrue(slow >= 25, "requests of 100 ms or more: " + slow);
            assertTrue(report.histogram().getMaxValue() >= 200 * MILLIS);
        }
    }

    @Test
    void resultLineCarriesTheHistogramPercentiles() throws Exception {
        try (TestOrigin origin = new TestOrigin()) {
            LoadReport report = run("-c", "2", "-n", "200", origin.url("/"));
            LoadResult result = LoadResult.parseLine(report.toResult().toLine());
            List<Double> percentiles = new ArrayList<>();
            result.percentiles().forEach(point -> percentiles.add(point.percentile()));
            assertEquals(LoadReport.PERCENTILES.length, percentiles.size());
            assertEquals(Math.round(report.histogram().getMaxValue() / 1_000.0), result.latencyMicros(100));
            assertEquals(200, result.requests());
        }
    }
}
