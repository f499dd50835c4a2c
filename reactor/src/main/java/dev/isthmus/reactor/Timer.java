package dev.isthmus.reactor;

/**
 * One reusable timeout, owned by whoever created it (a connection keeps one and re-arms it), so arming allocates
 * nothing. An intrusive node of its {@link TimerWheel} slot list. Confined to the reactor thread.
 */
public final class Timer {
    final TimerHandler handler;
    final TimerWheel wheel;
    long deadlineNanos;
    Timer previous;
    Timer next;
    int slot = -1;

    Timer(TimerWheel wheel, TimerHandler handler) {
        this.wheel = wheel;
        this.handler = handler;
    }

    /** (Re-)arms this timer to fire {@code delayNanos} from the reactor's current time; a pending arm is replaced. */
    public void schedule(long delayNanos) {
        wheel.schedule(this, delayNanos);
    }

    public void cancel() {
        wheel.cancel(this);
    }

    public boolean isScheduled() {
        return slot >= 0;
    }
}
