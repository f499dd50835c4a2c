package dev.isthmus.reactor;

import dev.isthmus.bindings.Syscalls;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static dev.isthmus.bindings.generated.isthmus_sys_h.O_CLOEXEC;
import static dev.isthmus.bindings.generated.isthmus_sys_h.O_NONBLOCK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pipes stand in for the sockets: splice moves pipe to pipe the same way, and a pipe holds a known amount. */
@Timeout(10)
final class SpliceForwarderTest {
    private static final int KIB = 1024;
    private static final int FORWARDER_PIPE = 64 * KIB;
    private static final int SOURCE_BYTES = 512 * KIB;

    private final Syscalls sys = new Syscalls();
    private final PipePool pool = new PipePool(sys, FORWARDER_PIPE, 4);
    private final int[] source = new int[2];
    private final int[] sink = new int[2];
    private long fdsBefore;

    @BeforeEach
    void countFds() throws IOException {
        fdsBefore = OpenFds.count();
    }

    @AfterEach
    void closeEverything() throws IOException {
        pool.closeAll();
        for (int fd : new int[] {source[0], source[1], sink[0], sink[1]}) {
            sys.close(fd);
        }
        assertEquals(fdsBefore, OpenFds.count());
    }

    @Test
    void aSourceThatKeepsUpIsMovedInTurnsOfTheBudgetNotAllAtOnce() {
        fillSource();
        SpliceForwarder forwarder = new SpliceForwarder(sys, pool, 128 * KIB);
        forwarder.start(source[0], sink[1], Long.MAX_VALUE, false);
        for (int turn = 0; turn < SOURCE_BYTES / (128 * KIB); turn++) {
            assertEquals(128 * KIB, forwarder.pump(), "turn " + turn);
            assertEquals(SpliceForwarder.State.FLOWING, forwarder.state());
            assertTrue(forwarder.wantsSourceReadable(), "the rest is for the next readiness report");
        }
        assertEquals(0, forwarder.pump(), "the source is empty now");
        assertEquals(SOURCE_BYTES, forwarder.bytesMoved());
    }

    @Test
    void underTheDefaultBudgetOnePumpMovesAllThatWaits() {
        fillSource();
        SpliceForwarder forwarder = new SpliceForwarder(sys, pool);
        forwarder.start(source[0], sink[1], Long.MAX_VALUE, false);
        assertEquals(SOURCE_BYTES, forwarder.pump());
    }

    private void fillSource() {
        assertEquals(0, sys.pipe2(source, O_NONBLOCK() | O_CLOEXEC()));
        assertEquals(0, sys.pipe2(sink, O_NONBLOCK() | O_CLOEXEC()));
        assertTrue(sys.setPipeSize(source[1], SOURCE_BYTES) >= SOURCE_BYTES);
        assertTrue(sys.setPipeSize(sink[1], 2 * SOURCE_BYTES) >= 2 * SOURCE_BYTES);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment bytes = arena.allocate(SOURCE_BYTES);
            assertEquals(SOURCE_BYTES, sys.write(source[1], bytes.address(), SOURCE_BYTES));
        }
    }
}
