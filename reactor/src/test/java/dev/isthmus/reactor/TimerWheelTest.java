package dev.isthmus.reactor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
final class TimerWheelTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void timersFireInDeadlineOrderAndCancelledOnesNever() throws Exception {
        EpollReactor reactor = new EpollReactor("timers", ReactorOptions.DEFAULTS);
        try {
            List<String> fired = new ArrayList<>();
            Timer late = reactor.newTimer(() -> fired.add("late"));
            Timer early = reactor.newTimer(() -> fired.add("early"));
            Timer middle = reactor.newTimer(() -> fired.add("middle"));
            Timer cancelled = reactor.newTimer(() -> fired.add("cancelled"));
            late.schedule(60 * MS);
            early.schedule(5 * MS);
            middle.schedule(30 * MS);
            cancelled.schedule(20 * MS);
            cancelled.cancel();
            assertFalse(cancelled.isScheduled());
            while (fired.size() < 3) {
                reactor.runOnce(-1);
            }
            assertEquals(List.of("early", "middle", "late"), fired);
            assertEquals(0, reactor.timers().scheduledCount());
        } finally {
            reactor.close();
        }
    }

    @Test
    void rearmingReplacesThePendingDeadline() {
        TimerWheel wheel = new TimerWheel(0);
        List<Long> fired = new ArrayList<>();
        Timer timer = wheel.newTimer(() -> fired.add(wheel.nowNanos()));
        timer.schedule(10 * MS);
        timer.schedule(50 * MS);
        assertEquals(1, wheel.scheduledCount());
        assertEquals(0, wheel.expire(20 * MS));
        assertEquals(1, wheel.expire(50 * MS));
        assertEquals(List.of(50 * MS), fired);
    }

    @Test
    void timersBeyondOneRotationWaitForTheirDeadline() {
        TimerWheel wheel = new TimerWheel(0);
        List<String> fired = new ArrayList<>();
        wheel.newTimer(() -> fired.add("long")).schedule(5_000 * MS);
        for (long t = 100; t < 5_000; t += 100) {
            assertEquals(0, wheel.expire(t * MS), "fired early at " + t + " ms");
        }
        assertEquals(1, wheel.expire(5_000 * MS));
        assertEquals(List.of("long"), fired);
    }

    @Test
    void thousandsOfTimersArmCancelAndExpire() {
        TimerWheel wheel = new TimerWheel(0);
        int[] count = new int[1];
        Timer[] timers = new Timer[10_000];
        for (int i = 0; i < timers.length; i++) {
            timers[i] = wheel.newTimer(() -> count[0]++);
            timers[i].schedule((1 + i % 2_000) * MS);
        }
        for (int i = 0; i < timers.length; i += 2) {
            timers[i].cancel();
        }
        assertEquals(5_000, wheel.scheduledCount());
        wheel.expire(2_000 * MS);
        assertEquals(5_000, count[0]);
        assertEquals(-1, wheel.millisUntilNextDeadline());
    }

    @Test
    void nextDeadlineHintBoundsTheWait() {
        TimerWheel wheel = new TimerWheel(0);
        assertEquals(-1, wheel.millisUntilNextDeadline());
        wheel.newTimer(() -> { }).schedule(7 * MS);
        int wait = wheel.millisUntilNextDeadline();
        assertTrue(wait >= 7 && wait <= 8, "wait " + wait);
    }
}
