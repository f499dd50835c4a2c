package dev.isthmus.reactor;

import dev.isthmus.bindings.SocketAddresses;
import dev.isthmus.bindings.Syscalls;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.isthmus.bindings.generated.isthmus_sys_h.ECONNRESET;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link SpliceForwarder} between two real loopback connections: the source's peer writes, the forwarder splices
 * into the sink, whose peer reads. The sink side has small kernel buffers and its peer reads only when told, so bytes
 * wait in the pipe while the source ends.
 */
@Timeout(20)
final class SpliceForwarderTest {
    private static final int PAYLOAD = 16 * 1024;
    private static final int SMALL_BUFFER = 4096;

    private final Syscalls sys = new Syscalls();
    private final PipePool pipes = new PipePool(sys, 64 * 1024, 4);
    private final Arena arena = Arena.ofConfined();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final List<Integer> fds = new ArrayList<>();

    @AfterEach
    void closeEverything() throws Exception {
        pipes.closeAll();
        for (int fd : fds) {
            sys.close(fd);
        }
        for (AutoCloseable closeable : toClose.reversed()) {
            closeable.close();
        }
        arena.close();
    }

    /**
     * The source resets with part of what it sent still in the pipe (the sink is full): those bytes came before the
     * reset and are delivered; only then is the stream FAILED, with the reset's errno and no FIN.
     */
    @Test
    void whatTheSourceSentBeforeItsResetIsDeliveredBeforeTheStreamFails() throws Exception {
        Connected source = connect(0, 0);
        Connected sink = connect(SMALL_BUFFER, SMALL_BUFFER);
        byte[] payload = pattern(PAYLOAD);
        source.peer.getOutputStream().write(payload);

        SpliceForwarder forwarder = new SpliceForwarder(sys, pipes);
        forwarder.start(source.fd, sink.fd);
        forwarder.pump();
        assertTrue(forwarder.wantsSinkWritable(), "part of the payload waits in the pipe for the sink");

        source.peer.setSoLinger(true, 0);
        source.peer.close();
        forwarder.sourceReady();
        forwarder.sourceHungUp();
        forwarder.pump();
        assertFalse(forwarder.isFinished(), "the pipe still holds bytes sent before the reset");

        CompletableFuture<byte[]> received = readToEof(sink.peer);
        pumpUntilFinished(forwarder);
        assertEquals(SpliceForwarder.State.FAILED, forwarder.state());
        assertTrue(forwarder.failedAtSource());
        assertEquals(-ECONNRESET(), forwarder.error());
        assertAllDelivered(forwarder, sink, payload, received);
    }

    /** A bounded stream whose source closes before the limit: what came is delivered, then it is FAILED, cut short. */
    @Test
    void aBoundedStreamCutShortDeliversWhatCameThenFails() throws Exception {
        Connected source = connect(0, 0);
        Connected sink = connect(SMALL_BUFFER, SMALL_BUFFER);
        byte[] payload = pattern(PAYLOAD);
        source.peer.getOutputStream().write(payload);
        source.peer.shutdownOutput();

        SpliceForwarder forwarder = new SpliceForwarder(sys, pipes);
        forwarder.start(source.fd, sink.fd, 4L * PAYLOAD, false);
        forwarder.pump();
        forwarder.sourceReady();
        forwarder.pump();
        assertFalse(forwarder.isFinished(), "the pipe still holds bytes sent before the FIN");

        CompletableFuture<byte[]> received = readToEof(sink.peer);
        pumpUntilFinished(forwarder);
        assertEquals(SpliceForwarder.State.FAILED, forwarder.state());
        assertTrue(forwarder.endedEarly());
        assertAllDelivered(forwarder, sink, payload, received);
    }

    /**
     * A forwarder turned to discarding mid-stream (its sink's peer reset) drops what its pipe held and all the source
     * sends after, delivers and counts nothing, and is DONE at the source's EOF with nothing sent to the sink.
     */
    @Test
    void aDiscardingForwarderDropsEverythingToTheSourcesEof() throws Exception {
        Connected source = connect(0, 0);
        Connected sink = connect(SMALL_BUFFER, SMALL_BUFFER);
        source.peer.getOutputStream().write(pattern(PAYLOAD));

        SpliceForwarder forwarder = new SpliceForwarder(sys, pipes);
        forwarder.start(source.fd, sink.fd);
        forwarder.pump();
        assertTrue(forwarder.wantsSinkWritable(), "part of the payload waits in the pipe for the sink");
        long deliveredBefore = forwarder.bytesMoved();

        forwarder.discard(source.fd);
        assertFalse(forwarder.wantsSinkWritable(), "what the pipe held is gone");
        source.peer.getOutputStream().write(pattern(4 * PAYLOAD));
        source.peer.shutdownOutput();
        while (!forwarder.isFinished()) {
            forwarder.sourceReady();
            assertEquals(0, forwarder.pump(), "nothing is delivered");
            Thread.onSpinWait();
        }
        assertEquals(SpliceForwarder.State.DONE, forwarder.state());
        assertEquals(0, forwarder.bytesMoved());

        CompletableFuture<byte[]> received = readToEof(sink.peer);
        closeFd(sink.fd);
        assertEquals(deliveredBefore, received.get(10, TimeUnit.SECONDS).length,
                "the sink got only what went before the discard");
    }

    /** The sink's peer reads meanwhile, so every pump makes room; bounded by the test's timeout. */
    private static void pumpUntilFinished(SpliceForwarder forwarder) {
        while (!forwarder.isFinished()) {
            forwarder.sinkReady();
            forwarder.pump();
            Thread.onSpinWait();
        }
    }

    /** Every payload byte went through the pipe and, once the sink is closed, its peer has read all of them. */
    private void assertAllDelivered(SpliceForwarder forwarder, Connected sink, byte[] payload,
            CompletableFuture<byte[]> received) throws Exception {
        assertEquals(payload.length, forwarder.bytesMoved());
        forwarder.release();
        closeFd(sink.fd);
        assertArrayEquals(payload, received.get(10, TimeUnit.SECONDS));
    }

    private record Connected(int fd, Socket peer) {
    }

    /** A non-blocking native socket connected to a Java peer on loopback, with the given native buffer sizes. */
    private Connected connect(int sendBufferBytes, int peerReceiveBufferBytes) throws IOException {
        ServerSocket server = closeLater(new ServerSocket());
        if (peerReceiveBufferBytes > 0) {
            server.setReceiveBufferSize(peerReceiveBufferBytes);
        }
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        MemorySegment address = arena.allocate(SocketAddresses.MAX_LENGTH);
        int length = SocketAddresses.write(address, (InetSocketAddress) server.getLocalSocketAddress());
        int fd = Sockets.connectNonBlocking(sys, address, length, sendBufferBytes, 0);
        assertTrue(fd >= 0, "connect: " + fd);
        fds.add(fd);
        // accept returns once the handshake is complete, so the native side is connected too.
        Socket peer = closeLater(server.accept());
        peer.setSoTimeout(10_000);
        return new Connected(fd, peer);
    }

    private void closeFd(int fd) {
        fds.remove(Integer.valueOf(fd));
        sys.close(fd);
    }

    private <T extends AutoCloseable> T closeLater(T closeable) {
        toClose.add(closeable);
        return closeable;
    }

    private static CompletableFuture<byte[]> readToEof(Socket peer) {
        CompletableFuture<byte[]> received = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (InputStream in = peer.getInputStream()) {
                in.transferTo(out);
                received.complete(out.toByteArray());
            } catch (IOException e) {
                received.completeExceptionally(e);
            }
        });
        return received;
    }

    private static byte[] pattern(int size) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (i * 7 + (i >>> 9));
        }
        return bytes;
    }
}
