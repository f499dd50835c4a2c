package dev.isthmus.proxy.config;

/**
 * How many reactor threads to run: {@code auto} (one per available processor) or an explicit count.
 *
 * @param requested the count asked for, or {@link #AUTO_COUNT} for {@code auto}
 */
public record Workers(int requested) {

    /** The {@code requested} value that stands for {@code auto}. */
    public static final int AUTO_COUNT = 0;
    /** More reactors than this is a typo, not a machine. */
    public static final int MAX_COUNT = 1024;
    public static final Workers AUTO = new Workers(AUTO_COUNT);

    public Workers {
        if (requested < AUTO_COUNT || requested > MAX_COUNT) {
            throw new IllegalArgumentException("workers must be auto or 1.." + MAX_COUNT + ", got " + requested);
        }
    }

    public static Workers of(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("workers must be auto or 1.." + MAX_COUNT + ", got " + count);
        }
        return new Workers(count);
    }

    public boolean isAuto() {
        return requested == AUTO_COUNT;
    }

    /** The number of reactors to start on this machine. */
    public int resolve() {
        return isAuto() ? Runtime.getRuntime().availableProcessors() : requested;
    }

    @Override
    public String toString() {
        return isAuto() ? "auto" : Integer.toString(requested);
    }
}
