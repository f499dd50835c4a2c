package dev.isthmus.proxy.http;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One response as a raw client received it: head, decoded body, trailers, and how the body was framed.
 *
 * @param head     the status-line and fields exactly as sent
 * @param body     the body after removing the chunked coding, if any
 * @param trailers trailer fields of a chunked body; empty otherwise
 * @param framing  how the body's end was found
 */
public record RawResponse(HttpHead head, byte[] body, List<HttpHead.Field> trailers, Framing framing) {

    /** How a response body's end was found (RFC 9112 §6.3). */
    public enum Framing { NONE, CONTENT_LENGTH, CHUNKED, CLOSE_DELIMITED }

    private static final int STATUS_START = "HTTP/1.1 ".length();
    private static final int STATUS_END = STATUS_START + 3;

    public RawResponse {
        trailers = List.copyOf(trailers);
    }

    public int status() {
        return statusOf(head);
    }

    static int statusOf(HttpHead head) {
        String line = head.startLine();
        if (!line.startsWith("HTTP/") || line.length() < STATUS_END) {
            throw new IllegalStateException("not a status-line: " + line);
        }
        return Integer.parseInt(line.substring(STATUS_START, STATUS_END));
    }

    public String header(String name) {
        return head.header(name);
    }

    public boolean closes() {
        return head.hasToken("Connection", "close");
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return head.rawText() + bodyText();
    }
}
