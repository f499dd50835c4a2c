package dev.isthmus.reactor;

/**
 * A hashed timer wheel (Varghese and Lauck) with one-millisecond ticks: arm and cancel are O(1) list operations on
 * intrusive {@link Timer} nodes, and expiry walks only the slots whose time has come. Timers longer than one rotation
 * stay in their slot and are skipped until their deadline. Confined to the reactor thread.
 *
 * <p>A timer goes into the slot of the first tick at or after its deadline, so processing a tick fires every timer of
 * the current rotation in it. The time of the next non-empty slot is kept as the hint for {@code epoll_wait}'s
 * timeout: arming lowers it, cancelling leaves it (an early wakeup is harmless), and it is recomputed by scanning the
 * slot heads (never the timers) only after it has passed.
 */
public final class TimerWheel {
    private static final long TICK_NANOS = 1_000_000L;
    private static final int SLOTS = 1024;
    private static final int SLOT_MASK = SLOTS - 1;
    private static final long NO_DEADLINE = Long.MAX_VALUE;

    private final Timer[] heads = new Timer[SLOTS];
    private long nowNanos;
    private long processedTick;
    private long earliestDeadline = NO_DEADLINE;
    private int scheduled;

    TimerWheel(long nowNanos) {
        this.nowNanos = nowNanos;
        this.processedTick = nowNanos / TICK_NANOS;
    }

    public Timer newTimer(TimerHandler handler) {
        return new Timer(this, handler);
    }

    long nowNanos() {
        return nowNanos;
    }

    void schedule(Timer timer, long delayNanos) {
        if (timer.slot >= 0) {
            unlink(timer);
        }
        // At least 1 ns ahead, so a handler re-arming itself with no delay cannot fire again within the same expiry pass.
        long deadline = nowNanos + Math.max(1, delayNanos);
        long tick = Math.max((deadline + TICK_NANOS - 1) / TICK_NANOS, processedTick + 1);
        int slot = (int) (tick & SLOT_MASK);
        timer.deadlineNanos = deadline;
        timer.slot = slot;
        timer.previous = null;
        timer.next = heads[slot];
        if (timer.next != null) {
            timer.next.previous = timer;
        }
        heads[slot] = timer;
        scheduled++;
        earliestDeadline = Math.min(earliestDeadline, tick * TICK_NANOS);
    }

    void cancel(Timer timer) {
        if (timer.slot >= 0) {
            unlink(timer);
        }
    }

    private void unlink(Timer timer) {
        if (timer.previous != null) {
            timer.previous.next = timer.next;
        } else {
            heads[timer.slot] = timer.next;
        }
        if (timer.next != null) {
            timer.next.previous = timer.previous;
        }
        timer.previous = null;
        timer.next = null;
        timer.slot = -1;
        scheduled--;
    }

    int scheduledCount() {
        return scheduled;
    }

    /** Milliseconds until the earliest deadline, rounded up; -1 when nothing is scheduled. */
    int millisUntilNextDeadline() {
        if (scheduled == 0) {
            return -1;
        }
        long remaining = earliestDeadline - nowNanos;
        if (remaining <= 0) {
            return 0;
        }
        return (int) Math.min(Integer.MAX_VALUE, (remaining + TICK_NANOS - 1) / TICK_NANOS);
    }

    /** Advances to {@code now} and fires every timer whose deadline passed; returns how many fired. */
    int expire(long now) {
        nowNanos = now;
        if (scheduled == 0) {
            processedTick = now / TICK_NANOS;
            earliestDeadline = NO_DEADLINE;
            return 0;
        }
        if (now < earliestDeadline) {
            return 0;
        }
        long targetTick = now / TICK_NANOS;
        long ticks = Math.min(targetTick - processedTick, SLOTS);
        int fired = 0;
        for (long i = 1; i <= ticks; i++) {
            fired += expireSlot((int) ((processedTick + i) & SLOT_MASK), now);
        }
        processedTick = targetTick;
        recomputeEarliest();
        return fired;
    }

    private int expireSlot(int slot, long now) {
        int fired = 0;
        Timer timer = heads[slot];
        while (timer != null) {
            Timer next = timer.next;
            if (timer.deadlineNanos <= now) {
                unlink(timer);
                fired++;
                fire(timer);
                // The handler may have cancelled or re-armed the next timer of this slot: start the slot over then.
                if (next != null && next.slot != slot) {
                    next = heads[slot];
                }
            }
            timer = next;
        }
        return fired;
    }

    private static void fire(Timer timer) {
        try {
            timer.handler.onTimeout();
        } catch (RuntimeException | LinkageError | AssertionError e) {
            System.getLogger(TimerWheel.class.getName()).log(System.Logger.Level.ERROR, "timer handler failed", e);
        }
    }

    private void recomputeEarliest() {
        earliestDeadline = NO_DEADLINE;
        if (scheduled == 0) {
            return;
        }
        for (long tick = processedTick + 1; tick <= processedTick + SLOTS; tick++) {
            if (heads[(int) (tick & SLOT_MASK)] != null) {
                earliestDeadline = tick * TICK_NANOS;
                return;
            }
        }
    }
}
