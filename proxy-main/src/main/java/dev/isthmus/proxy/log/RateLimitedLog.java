package dev.isthmus.proxy.log;

import dev.isthmus.reactor.EpollReactor;
import dev.isthmus.reactor.Timer;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Lines of one reactor at one level, at most {@code perSecond} a second; the rest are counted and reported in one
 * line when that second ends (a reactor timer fires for it, so a burst that nothing follows is still accounted for).
 * Logging writes to stderr synchronously on the reactor thread, so a flood of failures (a dead upstream under load,
 * a slowloris army) must not turn into a flood of blocking writes. Confined to its reactor thread.
 */
public final class RateLimitedLog {
    private static final long SECOND_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final System.Logger logger;
    private final System.Logger.Level level;
    private final String subject;
    private final int perSecond;
    private final LongSupplier nanoClock;
    private final Timer summary;
    private long windowStart;
    private int inWindow;
    private long suppressed;

    /** {@code subject} starts the summary line, as it starts the lines it stands for ({@code "http web"}). */
    public RateLimitedLog(System.Logger logger, System.Logger.Level level, int perSecond, String subject,
            EpollReactor reactor) {
        this(logger, level, perSecond, subject, reactor::nowNanos, reactor);
    }

    /** For tests: a clock of their own and no timer; {@link #summarize} is then theirs to call. */
    RateLimitedLog(System.Logger logger, int perSecond, LongSupplier nanoClock) {
        this(logger, System.Logger.Level.WARNING, perSecond, "test", nanoClock, null);
    }

    private RateLimitedLog(System.Logger logger, System.Logger.Level level, int perSecond, String subject,
            LongSupplier nanoClock, EpollReactor timers) {
        this.logger = logger;
        this.level = level;
        this.subject = subject;
        this.perSecond = perSecond;
        this.nanoClock = nanoClock;
        this.summary = timers == null ? null : timers.newTimer(this::summarize);
        this.windowStart = nanoClock.getAsLong();
    }

    /** Logs {@code message} unless this second's budget is spent; then it is counted for the summary. */
    public void log(String message) {
        if (admit()) {
            print(message);
        }
    }

    /**
     * Takes a line of this second's budget: true when it may be printed ({@link #print}), false when it is counted
     * for the summary instead. For lines that cost something to build: a flood then builds none of them.
     */
    public boolean admit() {
        long now = nanoClock.getAsLong();
        roll(now);
        if (inWindow < perSecond) {
            inWindow++;
            return true;
        }
        if (suppressed++ == 0 && summary != null) {
            summary.schedule(Math.max(0, windowStart + SECOND_NANOS - now));
        }
        return false;
    }

    /** Prints a line that {@link #admit} let through. */
    public void print(String message) {
        logger.log(level, message);
    }

    /** Reports what this second dropped, once the second is over. */
    void summarize() {
        long now = nanoClock.getAsLong();
        long left = windowStart + SECOND_NANOS - now;
        if (left > 0 && summary != null) {
            summary.schedule(left);
            return;
        }
        roll(now);
    }

    private void roll(long now) {
        if (now - windowStart < SECOND_NANOS) {
            return;
        }
        if (suppressed > 0) {
            logger.log(level, subject + ": " + suppressed + " similar lines suppressed");
        }
        windowStart = now;
        inWindow = 0;
        suppressed = 0;
    }
}
