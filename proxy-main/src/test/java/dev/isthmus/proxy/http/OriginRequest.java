package dev.isthmus.proxy.http;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * One request as the test origin received it from the proxy: the head as sent, and the decoded body bytes the
 * origin's handler has read so far (capped, so a 256 MiB upload records only its start). The head is set once on
 * the connection's thread; the body grows on that thread and is read by the test thread under this object's lock.
 */
public final class OriginRequest {
    static final int MAX_RECORDED_BODY = 1024 * 1024;

    private final HttpHead head;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private long bodyBytes;

    OriginRequest(HttpHead head) {
        this.head = head;
    }

    public HttpHead head() {
        return head;
    }

    public String method() {
        return head.startLine().substring(0, head.startLine().indexOf(' '));
    }

    /** The request-target exactly as the proxy sent it. */
    public String target() {
        String line = head.startLine();
        return line.substring(line.indexOf(' ') + 1, line.lastIndexOf(' '));
    }

    /** The target up to {@code ?}. */
    public String path() {
        String target = target();
        int query = target.indexOf('?');
        return query < 0 ? target : target.substring(0, query);
    }

    public String version() {
        return head.startLine().substring(head.startLine().lastIndexOf(' ') + 1);
    }

    public String header(String name) {
        return head.header(name);
    }

    synchronized void recordBody(byte[] bytes, int off, int len) {
        bodyBytes += len;
        int room = MAX_RECORDED_BODY - body.size();
        if (room > 0) {
            body.write(bytes, off, Math.min(room, len));
        }
    }

    /** The first {@link #MAX_RECORDED_BODY} decoded body bytes the handler read. */
    public synchronized byte[] body() {
        return body.toByteArray();
    }

    public synchronized String bodyText() {
        return body.toString(StandardCharsets.UTF_8);
    }

    /** Decoded body bytes the handler read, all of them counted. */
    public synchronized long bodyBytes() {
        return bodyBytes;
    }

    @Override
    public String toString() {
        return head.rawText();
    }
}
