package dev.isthmus.proxy.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What the test origin saw on one accepted connection: every raw byte received (the first
 * {@link #MAX_RECORDED_BYTES} kept, all counted), the requests parsed from them, and whether the proxy closed or reset
 * it. Written by the connection's virtual thread, read by the test thread (hence the synchronization).
 */
public final class OriginConnection {
    static final int MAX_RECORDED_BYTES = 1024 * 1024;

    /** How the connection's read side ended, as far as the origin knows. */
    public enum PeerState { OPEN, EOF, RESET }

    private final int id;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private final List<OriginRequest> requests = new CopyOnWriteArrayList<>();
    private long receivedBytes;
    private PeerState peer = PeerState.OPEN;
    private boolean finished;

    OriginConnection(int id) {
        this.id = id;
    }

    /** 1 for the first connection the origin accepted, then 2, ... */
    public int id() {
        return id;
    }

    public synchronized long receivedBytes() {
        return receivedBytes;
    }

    /** The first {@link #MAX_RECORDED_BYTES} raw bytes received, one char per byte. */
    public synchronized String receivedText() {
        return received.toString(StandardCharsets.ISO_8859_1);
    }

    public List<OriginRequest> requests() {
        return List.copyOf(requests);
    }

    /** Whether the proxy closed (EOF) or reset its side while the origin was reading. */
    public synchronized PeerState peer() {
        return peer;
    }

    /** Whether the origin's handling of this connection is over (the socket is closed). */
    public synchronized boolean finished() {
        return finished;
    }

    void addRequest(OriginRequest request) {
        requests.add(request);
    }

    synchronized void finish() {
        finished = true;
    }

    private synchronized void record(byte[] bytes, int off, int len) {
        receivedBytes += len;
        int room = MAX_RECORDED_BYTES - received.size();
        if (room > 0) {
            received.write(bytes, off, Math.min(room, len));
        }
    }

    private synchronized void peerEnded(PeerState how) {
        if (peer == PeerState.OPEN) {
            peer = how;
        }
    }

    /** Wraps the socket's stream so that every byte read is recorded and the end of the stream noticed. */
    InputStream recording(InputStream socketIn) {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n;
                try {
                    n = socketIn.read(b, off, len);
                } catch (SocketException e) {
                    if (!e.getMessage().contains("Socket closed")) {
                        peerEnded(PeerState.RESET);
                    }
                    throw e;
                }
                if (n < 0) {
                    peerEnded(PeerState.EOF);
                } else {
                    record(b, off, n);
                }
                return n;
            }
        };
    }

    @Override
    public String toString() {
        return "origin connection " + id + " (" + receivedBytes() + " bytes, " + requests.size() + " requests, "
                + peer() + ")";
    }
}
