package dev.isthmus.proxy.log;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.ResourceBundle;

import static org.junit.jupiter.api.Assertions.assertEquals;

final class RateLimitedLogTest {
    /** Records what reaches the logger. */
    private static final class Recorder implements System.Logger {
        final List<String> lines = new ArrayList<>();

        @Override
        public String getName() {
            return "recorder";
        }

        @Override
        public boolean isLoggable(Level level) {
            return true;
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String message, Throwable thrown) {
            lines.add(level + " " + message);
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            lines.add(level + " " + format);
        }
    }

    @Test
    void logsAtMostTheBudgetPerSecondAndReportsWhatItDropped() {
        Recorder recorder = new Recorder();
        long[] now = {0};
        RateLimitedLog log = new RateLimitedLog(recorder, 3, () -> now[0]);
        for (int i = 0; i < 10; i++) {
            log.log("failure " + i);
        }
        assertEquals(List.of("WARNING failure 0", "WARNING failure 1", "WARNING failure 2"), recorder.lines);
        now[0] = 999_999_999L;
        log.log("still the same second");
        assertEquals(3, recorder.lines.size());
        now[0] = 1_000_000_000L;
        log.log("next second");
        assertEquals(List.of("WARNING failure 0", "WARNING failure 1", "WARNING failure 2",
                "WARNING test: 8 similar lines suppressed", "WARNING next second"), recorder.lines);
    }

    @Test
    void aBurstThatNothingFollowsIsStillSummarizedWhenItsSecondEnds() {
        Recorder recorder = new Recorder();
        long[] now = {0};
        RateLimitedLog log = new RateLimitedLog(recorder, 1, () -> now[0]);
        log.log("first");
        log.log("dropped");
        log.log("dropped too");
        now[0] = 500_000_000L;
        log.summarize();
        assertEquals(List.of("WARNING first"), recorder.lines, "the second is not over yet");
        now[0] = 1_000_000_000L;
        log.summarize();
        assertEquals(List.of("WARNING first", "WARNING test: 2 similar lines suppressed"), recorder.lines);
    }
}
