package dev.isthmus.proxy.http;

import dev.isthmus.bindings.Syscalls;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static dev.isthmus.bindings.generated.isthmus_sys_h.AF_UNIX;
import static dev.isthmus.bindings.generated.isthmus_sys_h.EAGAIN;
import static dev.isthmus.bindings.generated.isthmus_sys_h.SOCK_CLOEXEC;
import static dev.isthmus.bindings.generated.isthmus_sys_h.SOCK_NONBLOCK;
import static dev.isthmus.bindings.generated.isthmus_sys_h.SOCK_STREAM;
import static dev.isthmus.bindings.generated.isthmus_sys_h.SOL_SOCKET;
import static dev.isthmus.bindings.generated.isthmus_sys_h.SO_SNDBUF;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The writer on a real non-blocking socket pair: small writes (copied into one buffer and sent) and large ones (a
 * {@code writev} of the slices) put the slices on the wire in order, and what a short write leaves behind is exactly
 * the rest, whichever way the write went.
 */
@Timeout(10)
final class GatherWriterTest {
    private static final int SMALL_SEND_BUFFER = 4096;
    private static final int MAX_WRITES_UNTIL_FULL = 10_000;

    private Syscalls sys;
    private Arena arena;
    private GatherWriter writer;
    private int sender;
    private int receiver;

    @BeforeEach
    void open() {
        sys = new Syscalls();
        arena = Arena.ofConfined();
        writer = new GatherWriter(sys, arena);
        int[] fds = new int[2];
        assertEquals(0, sys.socketpair(AF_UNIX(), SOCK_STREAM() | SOCK_NONBLOCK() | SOCK_CLOEXEC(), 0, fds));
        sender = fds[0];
        receiver = fds[1];
    }

    @AfterEach
    void close() {
        sys.close(sender);
        sys.close(receiver);
        arena.close();
        sys.close();
    }

    @Test
    void aSmallWriteOfManySlicesArrivesInOrder() {
        MemorySegment first = ascii("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n");
        MemorySegment second = ascii("Via: 1.1 isthmus\r\n\r\nok");
        writer.begin().add(first, 0, first.byteSize()).add(second, 0, 4).add(second, 4, second.byteSize() - 4);
        assertEquals(writer.totalBytes(), writer.write(sender));
        assertEquals("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nVia: 1.1 isthmus\r\n\r\nok", receiveAll());
    }

    @Test
    void aWriteLargerThanTheStagingBufferGoesOutWholeAsAGather() {
        MemorySegment head = ascii("HTTP/1.1 200 OK\r\n");
        MemorySegment body = pattern(6000, 0);
        writer.begin().add(head, 0, head.byteSize()).add(body, 0, body.byteSize());
        assertEquals(writer.totalBytes(), writer.write(sender));
        byte[] expected = concat(head.toArray(ValueLayout.JAVA_BYTE), body.toArray(ValueLayout.JAVA_BYTE));
        assertArrayEquals(expected, receiveBytes(expected.length));
    }

    @Test
    void whatAShortSmallWriteLeavesIsExactlyTheRest() {
        assertEquals(0, sys.setIntOption(sender, SOL_SOCKET(), SO_SNDBUF(), SMALL_SEND_BUFFER));
        MemorySegment a = pattern(1500, 1);
        MemorySegment b = pattern(1500, 2);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        long written = -1;
        int writes = 0;
        while (writes++ < MAX_WRITES_UNTIL_FULL) {
            written = writer.begin().add(a, 0, a.byteSize()).add(b, 0, b.byteSize()).write(sender);
            if (written != writer.totalBytes()) {
                break;
            }
            expected.writeBytes(a.toArray(ValueLayout.JAVA_BYTE));
            expected.writeBytes(b.toArray(ValueLayout.JAVA_BYTE));
        }
        long last = written;
        assertTrue(last == -EAGAIN() || (last >= 0 && last < writer.totalBytes()),
                () -> "the socket fills up: the last write returned " + last);
        long sent = Math.max(written, 0);
        MemorySegment unsent = arena.allocate(writer.totalBytes());
        long left = writer.copyUnsent(sent, unsent);
        assertEquals(writer.totalBytes() - sent, left);

        byte[] both = concat(a.toArray(ValueLayout.JAVA_BYTE), b.toArray(ValueLayout.JAVA_BYTE));
        expected.write(both, 0, (int) sent);
        byte[] onTheWire = receiveBytes(expected.size());
        assertArrayEquals(expected.toByteArray(), onTheWire);
        assertArrayEquals(Arrays.copyOfRange(both, (int) sent, both.length),
                unsent.asSlice(0, left).toArray(ValueLayout.JAVA_BYTE));
    }

    private MemorySegment ascii(String text) {
        return arena.allocateFrom(ValueLayout.JAVA_BYTE, text.getBytes(StandardCharsets.US_ASCII));
    }

    private MemorySegment pattern(int length, int seed) {
        MemorySegment segment = arena.allocate(length);
        for (int i = 0; i < length; i++) {
            segment.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 31 + seed));
        }
        return segment;
    }

    private static byte[] concat(byte[] first, byte[] second) {
        byte[] both = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }

    private String receiveAll() {
        MemorySegment buffer = arena.allocate(4096);
        long n = sys.recv(receiver, buffer.address(), buffer.byteSize(), 0);
        assertTrue(n > 0, () -> "recv returned " + n);
        return new String(buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII);
    }

    /** Exactly {@code length} bytes, all of them already queued on the socket, then nothing more. */
    private byte[] receiveBytes(int length) {
        MemorySegment buffer = arena.allocate(Math.max(length, 1));
        long at = 0;
        while (at < length) {
            long n = sys.recv(receiver, buffer.address() + at, length - at, 0);
            assertTrue(n > 0, "recv returned " + n + " after " + at + " of " + length + " bytes");
            at += n;
        }
        MemorySegment probe = arena.allocate(1);
        assertEquals(-EAGAIN(), sys.recv(receiver, probe.address(), 1, 0), "nothing past the expected bytes");
        return buffer.toArray(ValueLayout.JAVA_BYTE);
    }
}
