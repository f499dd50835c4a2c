package dev.isthmus.proxy.http;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Child-process HTTP origin that a test kills with SIGKILL at a chosen moment. Prints its port, then serves one
 * connection. Mode {@code stream}: answers the first request with a 1 TiB Content-Length and streams body bytes
 * until killed, printing {@code streaming} after the first block. Mode {@code silent}: reads the first request head,
 * prints {@code request}, and never answers. Mode {@code absorb}: reads the first request head, prints
 * {@code request}, and reads body bytes until killed, never answering.
 */
public final class ChildHttpOrigin {
    private static final long ENDLESS = 1L << 40;
    private static final int MAX_HEAD = 64 * 1024;

    private ChildHttpOrigin() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        try (ServerSocket server = new ServerSocket(0, 16, InetAddress.getLoopbackAddress())) {
            System.out.println(server.getLocalPort());
            System.out.flush();
            Socket socket = server.accept();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            if (HttpHead.read(in, MAX_HEAD) == null) {
                return;
            }
            if (args[0].equals("absorb")) {
                System.out.println("request");
                System.out.flush();
                in.transferTo(OutputStream.nullOutputStream());
                Thread.sleep(Long.MAX_VALUE);
            }
            if (args[0].equals("silent")) {
                System.out.println("request");
                System.out.flush();
                Thread.sleep(Long.MAX_VALUE);
            }
            OutputStream out = socket.getOutputStream();
            out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + ENDLESS + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            byte[] block = new byte[16 * 1024];
            out.write(block);
            System.out.println("streaming");
            System.out.flush();
            while (true) {
                out.write(block);
            }
        }
    }
}
