package dev.isthmus.bindings;

import static dev.isthmus.bindings.generated.isthmus_sys_h.*;

/**
 * Linux errno values as the facade reports them (wrappers return {@code -errno}), with their symbolic names.
 * Names come from a fixed table rather than {@code strerror(3)}: they are stable, need no native call, and are what
 * operators grep for in logs.
 */
public final class Errno {
    private static final int TABLE_SIZE = 134;
    private static final String[] NAMES = new String[TABLE_SIZE];

    static {
        name(EPERM(), "EPERM");
        name(ENOENT(), "ENOENT");
        name(EINTR(), "EINTR");
        name(EIO(), "EIO");
        name(EBADF(), "EBADF");
        name(EAGAIN(), "EAGAIN");
        name(ENOMEM(), "ENOMEM");
        name(EACCES(), "EACCES");
        name(EFAULT(), "EFAULT");
        name(EINVAL(), "EINVAL");
        name(ENFILE(), "ENFILE");
        name(EMFILE(), "EMFILE");
        name(ENOSPC(), "ENOSPC");
        name(EPIPE(), "EPIPE");
        name(ENOTSOCK(), "ENOTSOCK");
        name(EOPNOTSUPP(), "EOPNOTSUPP");
        name(EAFNOSUPPORT(), "EAFNOSUPPORT");
        name(EADDRINUSE(), "EADDRINUSE");
        name(EADDRNOTAVAIL(), "EADDRNOTAVAIL");
        name(ENETDOWN(), "ENETDOWN");
        name(ENETUNREACH(), "ENETUNREACH");
        name(ECONNABORTED(), "ECONNABORTED");
        name(ECONNRESET(), "ECONNRESET");
        name(ENOBUFS(), "ENOBUFS");
        name(EISCONN(), "EISCONN");
        name(ENOTCONN(), "ENOTCONN");
        name(ETIMEDOUT(), "ETIMEDOUT");
        name(ECONNREFUSED(), "ECONNREFUSED");
        name(EHOSTUNREACH(), "EHOSTUNREACH");
        name(EALREADY(), "EALREADY");
        name(EINPROGRESS(), "EINPROGRESS");
    }

    private Errno() {
    }

    private static void name(int errno, String name) {
        NAMES[errno] = name;
    }

    /** The symbolic name, e.g. {@code ECONNREFUSED}, or {@code errno 42} for values outside the table. */
    public static String name(int errno) {
        int value = Math.abs(errno);
        String name = value < TABLE_SIZE ? NAMES[value] : null;
        return name != null ? name : "errno " + value;
    }

    /** {@code ECONNREFUSED (111)}: the form every log line and exception uses. */
    public static String describe(int errno) {
        int value = Math.abs(errno);
        return name(value) + " (" + value + ")";
    }

    /**
     * True for a {@code -errno} that says this process (or the system) is out of descriptors or memory: the caller's
     * own capacity, not the fault of the peer it was talking to.
     */
    public static boolean isOutOfResources(long result) {
        return result == -EMFILE() || result == -ENFILE() || result == -ENOBUFS() || result == -ENOMEM();
    }

    /** True for the "try again later" results a non-blocking call returns as a value, never as a failure. */
    public static boolean isWouldBlock(long result) {
        return result == -EAGAIN();
    }

    /** True for a {@code -errno} other than the would-block one: the call failed, and retrying will not help. */
    public static boolean isFailure(long result) {
        return result < 0 && result != -EAGAIN();
    }
}
