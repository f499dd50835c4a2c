package dev.isthmus.proxy.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * A loopback port that refuses connections: a socket bound to it that never listens, so a SYN is answered with a
 * reset. Holding the binding keeps the port dead for as long as the test relies on it: a port merely closed after a
 * probe can be handed out again at once, to the proxy's own listener or as the source port of a connect to it (a TCP
 * self-connect), and then it answers.
 */
public final class RefusingPort implements AutoCloseable {
    private final Socket socket;

    private RefusingPort(Socket socket) {
        this.socket = socket;
    }

    public static RefusingPort open() throws IOException {
        Socket socket = new Socket();
        try {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        return new RefusingPort(socket);
    }

    public int port() {
        return socket.getLocalPort();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
