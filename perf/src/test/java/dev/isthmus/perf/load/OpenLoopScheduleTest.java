package dev.isthmus.perf.load;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

@Timeout(10)
class OpenLoopScheduleTest {

    @Test
    void requestsFallDueAtFixedIntervalsFromTheStart() {
        OpenLoopSchedule schedule = new OpenLoopSchedule(1_000, 1_000);
        assertEquals(1_000, schedule.dueNanos(0));
        assertEquals(1_000 + 10_000_000, schedule.dueNanos(10));
        assertEquals(0, schedule.dueCount(999));
        assertEquals(1, schedule.dueCount(1_000));
        assertEquals(11, schedule.dueCount(1_000 + 10_000_000));
    }

    @Test
    void fractionalIntervalsDoNotDrift() {
        OpenLoopSchedule schedule = new OpenLoopSchedule(0, 3);
        assertEquals(1_000_000_000L, schedule.dueNanos(3));
        assertEquals(3_000_000_000L, schedule.dueNanos(9));
    }

    @Test
    void rejectsANonPositiveRate() {
        assertThrows(IllegalArgumentException.class, () -> new OpenLoopSchedule(0, 0));
    }
}
