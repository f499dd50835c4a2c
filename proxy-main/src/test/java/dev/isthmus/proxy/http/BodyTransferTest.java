package dev.isthmus.proxy.http;

import dev.isthmus.bindings.Syscalls;
import dev.isthmus.http1.ChunkedDecoder;
import dev.isthmus.http1.Framing;
import dev.isthmus.http1.Rejection;
import dev.isthmus.proxy.config.ListenerLimits;
import dev.isthmus.reactor.PipePool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

import static dev.isthmus.bindings.generated.isthmus_sys_h.AF_UNIX;
import static dev.isthmus.bindings.generated.isthmus_sys_h.SOCK_CLOEXEC;
import static dev.isthmus.bindings.generated.isthmus_sys_h.SOCK_NONBLOCK;
import static dev.isthmus.bindings.generated.isthmus_sys_h.SOCK_STREAM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link BodyTransfer#takeLeading}: how much of the bytes read with a head belongs to its body, what goes out with the
 * head, and whether a rest is left to move, for every framing. The bytes start at an offset, as behind a real head.
 * Then, on real socket pairs, which way the rest moves.
 */
final class BodyTransferTest {
    private static final long HEAD = 100;
    private static final long THRESHOLD = 64 * 1024;

    private final Arena arena = Arena.ofConfined();
    private final Syscalls sys = new Syscalls();
    private final BodyTransfer transfer = new BodyTransfer(sys, new PipePool(sys, 64 * 1024, 1), new ChunkedDecoder());

    @AfterEach
    void closeArena() {
        arena.close();
    }

    @Test
    void aLengthBodyReadWholeWithItsHeadStopsAtItsLengthAndLeavesNoRest() {
        MemorySegment bytes = afterHead("helloGET /next HTTP/1.1\r\n");
        transfer.prepare(THRESHOLD, false, ListenerLimits.NO_BODY_LIMIT);
        assertEquals(5, transfer.takeLeading(Framing.CONTENT_LENGTH, 5, bytes, HEAD, bytes.byteSize() - HEAD));
        assertEquals(5, transfer.consumed(), "the pipelined request after it is not the body's");
        assertTrue(transfer.cameWithHead());
        assertNull(transfer.rejection());
    }

    @Test
    void aLengthBodyReadInPartLeavesTheRest() {
        MemorySegment bytes = afterHead("hel");
        transfer.prepare(THRESHOLD, false, ListenerLimits.NO_BODY_LIMIT);
        assertEquals(3, transfer.takeLeading(Framing.CONTENT_LENGTH, 5, bytes, HEAD, 3));
        assertFalse(transfer.cameWithHead());
    }

    @Test
    void anEmptyLengthBodyIsWholeAtOnce() {
        MemorySegment bytes = afterHead("");
        transfer.prepare(THRESHOLD, false, ListenerLimits.NO_BODY_LIMIT);
        assertEquals(0, transfer.takeLeading(Framing.CONTENT_LENGTH, 0, bytes, HEAD, 0));
        assertTrue(transfer.cameWithHead());
    }

    @Test
    void aChunkedBodyEndsAtItsLastChunkAndItsFramingGoesOutWithIt() {
        String body = "5\r\nhello\r\n0\r\n\r\n";
        MemorySegment bytes = afterHead(body + "GET /next HTTP/1.1\r\n");
        transfer.prepare(THRESHOLD, false, ListenerLimits.NO_BODY_LIMIT);
        assertEquals(body.length(), transfer.takeLeading(Framing.CHUNKED, 0, bytes, HEAD, bytes.byteSize() - HEAD));
        assertEquals(body.length(), transfer.consumed());
        assertTrue(transfer.cameWithHead());
    }

    @Test
    void aChunkedBodyCutShortLeavesTheRest() {
        MemorySegment bytes = afterHead("5\r\nhel");
        transfer.prepare(THRESHOLD, false, ListenerLimits.NO_BODY_LIMIT);
        assertEquals(6, transfer.takeLeading(Framing.CHUNKED, 0, bytes, HEAD, 6));
        assertFalse(transfer.cameWithHead());
        assertNull(transfer.rejection());
    }

    @Test
    void deChunkingForwardsOnlyTheChunkDataMovedToTheFront() {
        String body = "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
        MemorySegment bytes = afterHead(body);
        transfer.prepare(THRESHOLD, true, ListenerLimits.NO_BODY_LIMIT);
        long forwarded = transfer.takeLeading(Framing.CHUNKED, 0, bytes, HEAD, body.length());
        assertEquals("hello world", text(bytes, HEAD, forwarded));
        assertEquals(body.length(), transfer.consumed());
        assertTrue(transfer.cameWithHead());
    }

    @Test
    void badChunkFramingIsRejectedWithNoRestToMove() {
        MemorySegment bytes = afterHead("zz\r\nhello\r\n");
        transfer.prepare(THRESHOLD, false, ListenerLimits.NO_BODY_LIMIT);
        transfer.takeLeading(Framing.CHUNKED, 0, bytes, HEAD, bytes.byteSize() - HEAD);
        assertEquals(Rejection.INVALID_CHUNK_SIZE, transfer.rejection());
        assertTrue(transfer.cameWithHead());
    }

    @Test
    void chunkDataPastTheLimitIsRefusedBeforeItIsForwarded() {
        MemorySegment bytes = afterHead("a\r\n0123456789\r\n0\r\n\r\n");
        transfer.prepare(THRESHOLD, false, 4);
        transfer.takeLeading(Framing.CHUNKED, 0, bytes, HEAD, bytes.byteSize() - HEAD);
        assertEquals(Rejection.CONTENT_TOO_LARGE, transfer.rejection());
    }

    @Test
    void theLimitOfOneBodyDoesNotCarryOverToTheNext() {
        MemorySegment bytes = afterHead("a\r\n0123456789\r\n0\r\n\r\n");
        transfer.prepare(THRESHOLD, false, 4);
        transfer.takeLeading(Framing.CHUNKED, 0, bytes, HEAD, bytes.byteSize() - HEAD);
        transfer.prepare(THRESHOLD, false, ListenerLimits.NO_BODY_LIMIT);
        transfer.takeLeading(Framing.CHUNKED, 0, bytes, HEAD, bytes.byteSize() - HEAD);
        assertNull(transfer.rejection());
        assertTrue(transfer.cameWithHead());
    }

    @Test
    void aCloseDelimitedBodyTakesAllThatCameAndIsNeverWholeWithItsHead() {
        MemorySegment bytes = afterHead("everything until the close");
        transfer.prepare(THRESHOLD, false, ListenerLimits.NO_BODY_LIMIT);
        long available = bytes.byteSize() - HEAD;
        assertEquals(available, transfer.takeLeading(Framing.CLOSE_DELIMITED, 0, bytes, HEAD, available));
        assertEquals(available, transfer.consumed());
        assertFalse(transfer.cameWithHead());
    }

    @Test
    void aHeadWithoutABodyIsNotTheTransfersToTake() {
        MemorySegment bytes = afterHead("");
        transfer.prepare(THRESHOLD, false, ListenerLimits.NO_BODY_LIMIT);
        assertThrows(IllegalArgumentException.class, () -> transfer.takeLeading(Framing.NONE, 0, bytes, HEAD, 0));
    }

    /** The whole body's length decides, not its rest's: a body above the threshold goes by splice however little is left. */
    @Test
    void theRestOfABodyAboveTheThresholdIsSplicedHoweverShortItIs() {
        int[] source = socketPair();
        int[] sink = socketPair();
        try {
            MemorySegment bytes = afterHead("b".repeat(1000));
            long length = THRESHOLD + 10;
            long rest = length - 1000;
            transfer.prepare(THRESHOLD, false, ListenerLimits.NO_BODY_LIMIT);
            assertEquals(1000, transfer.takeLeading(Framing.CONTENT_LENGTH, length, bytes, HEAD, 1000));
            MemorySegment restBytes = arena.allocate(rest);
            assertEquals(rest, sys.write(source[0], restBytes.address(), rest));
            transfer.startRest(source[1], sink[0], arena.allocate(16 * 1024));
            MemorySegment received = arena.allocate(rest);
            long delivered = 0;
            long read = 0;
            for (int round = 0; round < 1000 && (transfer.isActive() || read < rest); round++) {
                delivered += transfer.pump();
                long n = sys.read(sink[1], received.address() + read, rest - read);
                read += Math.max(n, 0);
            }
            assertEquals(BodyTransfer.State.DONE, transfer.state());
            assertEquals(rest, read);
            assertEquals(rest, delivered);
            assertEquals(rest, transfer.takeSplicedBytes(), "every byte of the rest went by splice");
        } finally {
            transfer.release();
            for (int fd : new int[] {source[0], source[1], sink[0], sink[1]}) {
                sys.close(fd);
            }
        }
    }

    private int[] socketPair() {
        int[] fds = new int[2];
        assertEquals(0, sys.socketpair(AF_UNIX(), SOCK_STREAM() | SOCK_NONBLOCK() | SOCK_CLOEXEC(), 0, fds));
        return fds;
    }

    /** {@code text} at offset {@link #HEAD} of a segment, behind bytes standing for a head. */
    private MemorySegment afterHead(String text) {
        byte[] body = text.getBytes(StandardCharsets.US_ASCII);
        MemorySegment segment = arena.allocate(HEAD + body.length);
        MemorySegment.copy(body, 0, segment, ValueLayout.JAVA_BYTE, HEAD, body.length);
        return segment;
    }

    private static String text(MemorySegment segment, long offset, long length) {
        byte[] bytes = new byte[(int) length];
        MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, offset, bytes, 0, bytes.length);
        return new String(bytes, StandardCharsets.US_ASCII);
    }
}
