package dev.isthmus.reactor;

import dev.isthmus.bindings.Syscalls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static dev.isthmus.bindings.generated.isthmus_sys_h.O_CLOEXEC;
import static dev.isthmus.bindings.generated.isthmus_sys_h.O_NONBLOCK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
final class PipePoolTest {
    private static final int PAGE = 4096;
    private static final int ASKED = 32 * PAGE;

    private final Syscalls sys = new Syscalls();

    @Test
    void aPipeIsSizedAsAskedAndComesBackForReuse() throws Exception {
        long before = OpenFds.count();
        PipePool pool = new PipePool(sys, ASKED, 4);
        Pipe pipe = pool.acquire();
        assertEquals(ASKED, pipe.capacity());
        assertEquals(ASKED, sys.pipeSize(pipe.writeFd()));
        pool.release(pipe);
        assertSame(pipe, pool.acquire());
        assertEquals(1, pool.pipesCreated());
        assertEquals(0, pool.refusedResizes());
        pool.close(pipe);
        assertEquals(before, OpenFds.count());
    }

    @Test
    void aRefusedResizeIsCountedAndThePipeKeepsTheCapacityTheKernelReports() {
        // 0xFFFFFFFF pages round to nothing: EINVAL for root too, the one refusal a test can rely on.
        PipePool pool = new PipePool(sys, -1, 4);
        Pipe pipe = pool.acquire();
        assertEquals(1, pool.refusedResizes());
        assertEquals(sys.pipeSize(pipe.writeFd()), pipe.capacity());
        assertTrue(pipe.capacity() >= PAGE);
        pool.close(pipe);
    }

    @Test
    void aPipeSmallerThanAskedIsClosedNotPooled() throws Exception {
        long before = OpenFds.count();
        PipePool pool = new PipePool(sys, ASKED, 4);
        int[] fds = new int[2];
        assertEquals(0, sys.pipe2(fds, O_NONBLOCK() | O_CLOEXEC()));
        assertEquals(PAGE, sys.setPipeSize(fds[1], PAGE));
        pool.release(new Pipe(fds[0], fds[1], PAGE));
        assertEquals(0, pool.idleCount());
        assertEquals(before, OpenFds.count());
    }
}
