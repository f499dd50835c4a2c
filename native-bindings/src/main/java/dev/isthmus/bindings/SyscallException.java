package dev.isthmus.bindings;

import java.io.IOException;

/** A system call that failed for real (not EAGAIN/EINTR), naming the call and the errno: {@code connect: ECONNREFUSED (111)}. */
public final class SyscallException extends IOException {
    private static final long serialVersionUID = 1L;
    private final String call;
    private final int errno;

    public SyscallException(String call, long negativeErrno) {
        super(call + ": " + Errno.describe((int) negativeErrno));
        this.call = call;
        this.errno = (int) Math.abs(negativeErrno);
    }

    public String call() {
        return call;
    }

    public int errno() {
        return errno;
    }

    /** Returns {@code result} when it is not an error, else throws: for setup paths where failure is fatal to the operation. */
    public static long check(String call, long result) throws SyscallException {
        if (result < 0) {
            throw new SyscallException(call, result);
        }
        return result;
    }
}
