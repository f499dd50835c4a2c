package dev.isthmus.proxy.http;

import dev.isthmus.reactor.EpollReactor;
import dev.isthmus.reactor.Timer;
import dev.isthmus.reactor.TimerHandler;

/**
 * The one timer of a {@link ClientConnection}, re-armed for each phase of its exchange, and what the current arm is
 * for: the idle keep-alive wait, the request head, the route timeout, the stall check, the linger. Re-arming
 * replaces the previous purpose, so an expiry always belongs to the phase that armed it. It also keeps the stall
 * check's clock, the reactor time of the last event on either socket of the exchange in flight, so that a busy
 * exchange re-arms once per stream idle timeout rather than once per event. Created once per connection.
 * Confined to the reactor thread.
 */
final class PhaseTimer implements TimerHandler {
    enum Purpose { NONE, IDLE, REQUEST_HEAD, UPSTREAM, STALL, LINGER }

    /** What the connection does when an arm expires; called on the reactor thread. */
    @FunctionalInterface
    interface Expiry {
        void expired(Purpose purpose);
    }

    private final EpollReactor reactor;
    private final Timer timer;
    private final Expiry expiry;
    private Purpose purpose = Purpose.NONE;
    private long lastActivityNanos;

    PhaseTimer(EpollReactor reactor, Expiry expiry) {
        this.reactor = reactor;
        this.expiry = expiry;
        this.timer = reactor.newTimer(this);
    }

    void arm(Purpose purpose, long delayNanos) {
        this.purpose = purpose;
        timer.schedule(delayNanos);
    }

    void cancel() {
        purpose = Purpose.NONE;
        timer.cancel();
    }

    /** Something happened on a socket of the exchange: a stall is counted from now. */
    void activity() {
        lastActivityNanos = reactor.nowNanos();
    }

    /** Starts watching the exchange for a stall of {@code streamIdleNanos}, counted from now. */
    void armStallCheck(long streamIdleNanos) {
        activity();
        arm(Purpose.STALL, streamIdleNanos);
    }

    /**
     * At a stall check: true, and re-armed for the rest of {@code streamIdleNanos}, when anything happened meanwhile;
     * false when the exchange has really been quiet that long. The caller passes the timeout each time, as a reload
     * may have changed it.
     */
    boolean rearmIfActive(long streamIdleNanos) {
        long quietFor = reactor.nowNanos() - lastActivityNanos;
        if (quietFor < streamIdleNanos) {
            arm(Purpose.STALL, streamIdleNanos - quietFor);
            return true;
        }
        return false;
    }

    /** The timer fired: the connection learns which arm expired. */
    @Override
    public void onTimeout() {
        Purpose expired = purpose;
        purpose = Purpose.NONE;
        expiry.expired(expired);
    }
}
