package dev.isthmus.proxy.http;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Message bodies for test peers: streams that read exactly one body off a connection by its framing (leaving the
 * connection positioned at the next message), and a chunked writer. Bodies are streams so that hundreds of MiB
 * pass through without sitting on the heap.
 */
public final class Bodies {
    private static final int HEX = 16;
    private static final int MAX_CHUNK_LINE = 4096;
    private static final int MAX_TRAILERS = 64 * 1024;

    private Bodies() {
    }

    /** Exactly {@code length} bytes; a stream ending earlier is an {@link EOFException}. Never closes {@code in}. */
    public static InputStream fixed(InputStream in, long length) {
        return new InputStream() {
            private long remaining = length;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (remaining == 0) {
                    return -1;
                }
                int n = in.read(b, off, (int) Math.min(len, remaining));
                if (n < 0) {
                    throw new EOFException(remaining + " bytes of a " + length + "-byte body never arrived");
                }
                remaining -= n;
                return n;
            }
        };
    }

    /** Every byte until the peer closes. Never closes {@code in}. */
    public static InputStream untilEof(InputStream in) {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                return in.read();
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return in.read(b, off, len);
            }
        };
    }

    /** Decodes a chunked body; {@link Chunked#trailers()} holds the trailer fields once it returned -1. */
    public static Chunked chunked(InputStream in) {
        return new Chunked(in);
    }

    /** Writes the chunked coding; {@link #finish} sends the last chunk and trailers. Never closes the target. */
    public static ChunkedWriter chunkedWriter(OutputStream out) {
        return new ChunkedWriter(out);
    }

    /** The chunked transfer coding decoded strictly: CRLF everywhere, hex sizes, extensions skipped. */
    public static final class Chunked extends InputStream {
        private final InputStream in;
        private long remaining;
        private boolean done;
        private final List<HttpHead.Field> trailers = new ArrayList<>();

        private Chunked(InputStream in) {
            this.in = in;
        }

        public List<HttpHead.Field> trailers() {
            return List.copyOf(trailers);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (done) {
                return -1;
            }
            if (remaining == 0) {
                remaining = sizeLine();
                if (remaining == 0) {
                    readTrailers();
                    done = true;
                    return -1;
                }
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n < 0) {
                throw new EOFException("stream ended inside a chunk");
            }
            remaining -= n;
            if (remaining == 0) {
                expectCrlf();
            }
            return n;
        }

        private long sizeLine() throws IOException {
            String line = line();
            int semicolon = line.indexOf(';');
            String size = (semicolon < 0 ? line : line.substring(0, semicolon)).strip();
            try {
                return Long.parseLong(size, HEX);
            } catch (NumberFormatException e) {
                throw new IOException("bad chunk-size line: " + line);
            }
        }

        private void readTrailers() throws IOException {
            int total = 0;
            for (String line = line(); !line.isEmpty(); line = line()) {
                total += line.length();
                if (total > MAX_TRAILERS) {
                    throw new IOException("trailers too long");
                }
                int colon = line.indexOf(':');
                if (colon <= 0) {
                    throw new IOException("bad trailer line: " + line);
                }
                trailers.add(new HttpHead.Field(line.substring(0, colon), line.substring(colon + 1).strip()));
            }
        }

        private void expectCrlf() throws IOException {
            if (in.read() != '\r' || in.read() != '\n') {
                throw new IOException("chunk data not followed by CRLF");
            }
        }

        private String line() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            while (true) {
                int b = in.read();
                if (b < 0) {
                    throw new EOFException("stream ended inside chunked framing");
                }
                if (b == '\n') {
                    byte[] bytes = line.toByteArray();
                    if (bytes.length == 0 || bytes[bytes.length - 1] != '\r') {
                        throw new IOException("chunked framing line not ended by CRLF");
                    }
                    return new String(bytes, 0, bytes.length - 1, StandardCharsets.ISO_8859_1);
                }
                line.write(b);
                if (line.size() > MAX_CHUNK_LINE) {
                    throw new IOException("chunked framing line too long");
                }
            }
        }
    }

    /** An output stream whose every write becomes one chunk. */
    public static final class ChunkedWriter extends FilterOutputStream {
        private ChunkedWriter(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return;
            }
            out.write((Integer.toHexString(len) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(b, off, len);
            out.write(CRLF);
        }

        /** The last chunk, the trailer fields given as {@code "Name: value"} lines, and the final CRLF. */
        public void finish(String... trailerLines) throws IOException {
            out.write("0\r\n".getBytes(StandardCharsets.US_ASCII));
            for (String line : trailerLines) {
                out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
            }
            out.write(CRLF);
            out.flush();
        }

        @Override
        public void close() throws IOException {
            flush();
        }

        private static final byte[] CRLF = {'\r', '\n'};
    }
}
