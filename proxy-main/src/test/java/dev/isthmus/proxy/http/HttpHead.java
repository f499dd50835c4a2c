package dev.isthmus.proxy.http;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A message head as a test peer read it off a socket: the start-line and the field lines as text, plus the exact
 * bytes. Immutable. Reading is strict about line endings (CRLF only) because the peer on the other side is the proxy
 * under test, and a bare LF from it is a bug to report, not to tolerate.
 *
 * @param startLine the request-line or status-line without its CRLF
 * @param fields    the field lines in order, names as sent
 * @param raw       every byte of the head, final CRLF included
 */
public record HttpHead(String startLine, List<Field> fields, byte[] raw) {

    private static final int CR = '\r';
    private static final int LF = '\n';

    /** One field line, value without surrounding whitespace. */
    public record Field(String name, String value) {
    }

    public HttpHead {
        fields = List.copyOf(fields);
    }

    /**
     * Reads one head of at most {@code maxBytes}; null when the stream ends before its first byte (a peer closing
     * between messages).
     *
     * @throws EOFException when the stream ends inside a head
     * @throws IOException  when a line does not end in CRLF or the head is too long
     */
    public static HttpHead read(InputStream in, int maxBytes) throws IOException {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        List<String> lines = new ArrayList<>();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (raw.size() == 0) {
                    return null;
                }
                throw new EOFException("stream ended inside a head after " + raw.size() + " bytes: "
                        + printable(raw.toByteArray()));
            }
            raw.write(b);
            if (raw.size() > maxBytes) {
                throw new IOException("head longer than " + maxBytes + " bytes");
            }
            if (b == LF) {
                byte[] l = line.toByteArray();
                if (l.length == 0 || l[l.length - 1] != CR) {
                    throw new IOException("line not ended by CRLF: " + printable(raw.toByteArray()));
                }
                String text = new String(l, 0, l.length - 1, StandardCharsets.ISO_8859_1);
                line.reset();
                if (text.isEmpty()) {
                    if (lines.isEmpty()) {
                        throw new IOException("head starts with an empty line");
                    }
                    return parse(lines, raw.toByteArray());
                }
                lines.add(text);
            } else {
                line.write(b);
            }
        }
    }

    private static HttpHead parse(List<String> lines, byte[] raw) throws IOException {
        List<Field> fields = new ArrayList<>();
        for (String l : lines.subList(1, lines.size())) {
            int colon = l.indexOf(':');
            if (colon <= 0) {
                throw new IOException("field line without a name and colon: " + l);
            }
            fields.add(new Field(l.substring(0, colon), l.substring(colon + 1).strip()));
        }
        return new HttpHead(lines.get(0), fields, raw);
    }

    /** The first value of the field, case-insensitive name, or null. */
    public String header(String name) {
        for (Field f : fields) {
            if (f.name().equalsIgnoreCase(name)) {
                return f.value();
            }
        }
        return null;
    }

    /** Every value of the field, in order. */
    public List<String> headers(String name) {
        List<String> out = new ArrayList<>();
        for (Field f : fields) {
            if (f.name().equalsIgnoreCase(name)) {
                out.add(f.value());
            }
        }
        return out;
    }

    public boolean has(String name) {
        return header(name) != null;
    }

    /** Whether any occurrence of the comma-separated field lists {@code token} (case-insensitive). */
    public boolean hasToken(String name, String token) {
        for (String value : headers(name)) {
            for (String element : value.split(",")) {
                if (element.strip().equalsIgnoreCase(token)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The Content-Length, or -1 when absent. */
    public long contentLength() {
        String value = header("Content-Length");
        return value == null ? -1 : Long.parseLong(value);
    }

    /** Whether Transfer-Encoding's final coding is chunked. */
    public boolean chunked() {
        List<String> values = headers("Transfer-Encoding");
        if (values.isEmpty()) {
            return false;
        }
        String[] codings = String.join(",", values).split(",");
        return codings[codings.length - 1].strip().toLowerCase(Locale.ROOT).equals("chunked");
    }

    public String rawText() {
        return new String(raw, StandardCharsets.ISO_8859_1);
    }

    /** Bytes as text with CR, LF and other controls escaped, for failure messages. */
    static String printable(byte[] bytes) {
        StringBuilder out = new StringBuilder();
        for (byte b : bytes) {
            int c = b & 0xFF;
            switch (c) {
                case CR -> out.append("\\r");
                case LF -> out.append("\\n");
                default -> {
                    if (c < 0x20 || c >= 0x7F) {
                        out.append(String.format("\\x%02x", c));
                    } else {
                        out.append((char) c);
                    }
                }
            }
        }
        return out.toString();
    }
}
