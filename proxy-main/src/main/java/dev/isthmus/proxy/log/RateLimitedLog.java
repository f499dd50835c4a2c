package dev.isthmus.proxy.log;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Warnings (or lines of another level) of one reactor, at most {@code perSecond} lines a second; the rest are
 * counted and reported in one line when the next second opens. Logging writes to stderr synchronously on the reactor thread, so a flood of failures
 * (a dead upstream under load) must not turn into a flood of blocking writes. Confined to its reactor thread.
 */
public final class RateLimitedLog {
    private static final long SECOND_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final System.Logger logger;
    private final System.Logger.Level level;
    private final int perSecond;
    private final LongSupplier nanoClock;
    private long windowStart;
    private int inWindow;
    private long suppressed;

    public RateLimitedLog(System.Logger logger, int perSecond) {
        this(logger, System.Logger.Level.WARNING, perSecond, System::nanoTime);
    }

    /** Lines at {@code level} instead of WARNING: for what is worth seeing but is not the operator's problem. */
    public RateLimitedLog(System.Logger logger, System.Logger.Level level, int perSecond) {
        this(logger, level, perSecond, System::nanoTime);
    }

    RateLimitedLog(System.Logger logger, int perSecond, LongSupplier nanoClock) {
        this(logger, System.Logger.Level.WARNING, perSecond, nanoClock);
    }

    private RateLimitedLog(System.Logger logger, System.Logger.Level level, int perSecond, LongSupplier nanoClock) {
        this.logger = logger;
        this.level = level;
        this.perSecond = perSecond;
        this.nanoClock = nanoClock;
        this.windowStart = nanoClock.getAsLong();
    }

    /** Logs {@code message} at this log's level unless this second's budget is spent. */
    public void log(String message) {
        long now = nanoClock.getAsLong();
        if (now - windowStart >= SECOND_NANOS) {
            if (suppressed > 0) {
                logger.log(level, suppressed + " similar lines suppressed");
            }
            windowStart = now;
            inWindow = 0;
            suppressed = 0;
        }
        if (inWindow < perSecond) {
            inWindow++;
            logger.log(level, message);
        } else {
            suppressed++;
        }
    }
}
