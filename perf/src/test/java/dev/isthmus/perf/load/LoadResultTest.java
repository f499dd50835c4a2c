package dev.isthmus.perf.load;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

@Timeout(10)
class LoadResultTest {

    @Test
    void lineRoundTrips() {
        LoadResult result = new LoadResult(1_000, 64_000, 2_000_000_000L, Map.of(ErrorKind.READ, 3L),
                List.of(new PercentilePoint(50, 120), new PercentilePoint(99.9, 900), new PercentilePoint(100, 1500)));
        LoadResult parsed = LoadResult.parseLine(result.toLine());
        assertEquals(result, parsed);
        assertEquals(500.0, parsed.requestsPerSecond());
        assertEquals(3, parsed.totalErrors());
        assertEquals(900, parsed.latencyMicros(99));
        assertEquals(1500, parsed.latencyMicros(100));
    }

    @Test
    void readsWhatTheWrkHookPrints() {
        LoadResult parsed = LoadResult.parseLine("ISTHMUS-LOAD-RESULT requests=10 bytes=200 durationMicros=1000000 "
                + "connect=0 read=1 write=0 status=2 timeout=0 percentiles=50:100,99.5:300,100:400");
        assertEquals(10, parsed.requests());
        assertEquals(2, parsed.errors().get(ErrorKind.STATUS));
        assertEquals(300, parsed.latencyMicros(99.5));
    }

    @Test
    void rejectsBrokenLines() {
        assertThrows(IllegalArgumentException.class, () -> LoadResult.parseLine("requests=1"));
        assertThrows(IllegalArgumentException.class, () -> LoadResult.parseLine(
                "ISTHMUS-LOAD-RESULT requests=x bytes=0 durationMicros=0 connect=0 read=0 write=0 status=0 timeout=0"));
        assertThrows(IllegalArgumentException.class, () -> LoadResult.parseLine("ISTHMUS-LOAD-RESULT requests=1"));
    }
}
