package dev.isthmus.proxy.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * Child-process peer that streams bytes until it is killed. {@code serve}: listens, prints its port, accepts one
 * connection, prints {@code streaming}. {@code connect PORT}: connects, prints {@code streaming}.
 */
public final class EndlessStreamer {
    private EndlessStreamer() {
    }

    public static void main(String[] args) throws IOException {
        Socket socket;
        if (args[0].equals("serve")) {
            ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            System.out.println(server.getLocalPort());
            System.out.flush();
            socket = server.accept();
        } else {
            socket = new Socket(InetAddress.getLoopbackAddress(), Integer.parseInt(args[1]));
        }
        OutputStream out = socket.getOutputStream();
        byte[] block = new byte[16 * 1024];
        out.write(block);
        System.out.println("streaming");
        System.out.flush();
        while (true) {
            out.write(block);
        }
    }
}
