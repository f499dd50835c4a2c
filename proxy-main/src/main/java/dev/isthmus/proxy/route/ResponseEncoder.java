package dev.isthmus.proxy.route;

import dev.isthmus.proxy.config.RouteAction;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Encodes direct responses and redirects into complete HTTP/1.1 responses, once, at compile time.
 * No Date and no Connection header: those depend on the moment and the connection, so the proxy inserts them
 * at {@link EncodedResponse#headersEnd()} when it wants them.
 */
final class ResponseEncoder {

    static final byte[] CRLF = {'\r', '\n'};

    private static final String HTTP_VERSION = "HTTP/1.1 ";
    private static final int NO_CONTENT = 204;
    private static final int NOT_MODIFIED = 304;
    private static final int NOT_FOUND = 404;
    private static final String NO_ROUTE_BODY = "no route for this request\n";

    /** RFC 9110 section 15 reason phrases; any other status gets an empty reason, which RFC 9112 allows. */
    private static final Map<Integer, String> REASONS = Map.ofEntries(
            Map.entry(200, "OK"), Map.entry(201, "Created"), Map.entry(202, "Accepted"),
            Map.entry(203, "Non-Authoritative Information"), Map.entry(204, "No Content"),
            Map.entry(205, "Reset Content"), Map.entry(206, "Partial Content"),
            Map.entry(300, "Multiple Choices"), Map.entry(301, "Moved Permanently"), Map.entry(302, "Found"),
            Map.entry(303, "See Other"), Map.entry(304, "Not Modified"), Map.entry(307, "Temporary Redirect"),
            Map.entry(308, "Permanent Redirect"),
            Map.entry(400, "Bad Request"), Map.entry(401, "Unauthorized"), Map.entry(402, "Payment Required"),
            Map.entry(403, "Forbidden"), Map.entry(404, "Not Found"), Map.entry(405, "Method Not Allowed"),
            Map.entry(406, "Not Acceptable"), Map.entry(407, "Proxy Authentication Required"),
            Map.entry(408, "Request Timeout"), Map.entry(409, "Conflict"), Map.entry(410, "Gone"),
            Map.entry(411, "Length Required"), Map.entry(412, "Precondition Failed"),
            Map.entry(413, "Content Too Large"), Map.entry(414, "URI Too Long"),
            Map.entry(415, "Unsupported Media Type"), Map.entry(416, "Range Not Satisfiable"),
            Map.entry(417, "Expectation Failed"), Map.entry(421, "Misdirected Request"),
            Map.entry(422, "Unprocessable Content"), Map.entry(426, "Upgrade Required"),
            Map.entry(429, "Too Many Requests"), Map.entry(431, "Request Header Fields Too Large"),
            Map.entry(451, "Unavailable For Legal Reasons"),
            Map.entry(500, "Internal Server Error"), Map.entry(501, "Not Implemented"),
            Map.entry(502, "Bad Gateway"), Map.entry(503, "Service Unavailable"),
            Map.entry(504, "Gateway Timeout"), Map.entry(505, "HTTP Version Not Supported"));

    private ResponseEncoder() {
    }

    static EncodedResponse directResponse(RouteAction.DirectResponse action) {
        byte[] body = action.body().getBytes(StandardCharsets.UTF_8);
        // RFC 9110 sections 8.6 and 15.3.5: a 204 carries no Content-Length; neither kind has content.
        boolean contentless = action.status() == NO_CONTENT || action.status() == NOT_MODIFIED;
        String headers = contentless ? ""
                : "Content-Type: " + action.contentType() + "\r\nContent-Length: " + body.length + "\r\n";
        return encode(action.status(), headers, body);
    }

    static EncodedResponse redirect(RouteAction.Redirect action) {
        return encode(action.status(), "Location: " + action.location() + "\r\nContent-Length: 0\r\n", new byte[0]);
    }

    static EncodedResponse notFound() {
        return directResponse(new RouteAction.DirectResponse(NOT_FOUND, NO_ROUTE_BODY,
                RouteAction.DirectResponse.DEFAULT_CONTENT_TYPE));
    }

    /** Copies {@code bytes} into GC-managed native memory, read-only: writev-able, shareable across reactors. */
    static MemorySegment toNative(byte[] bytes) {
        MemorySegment segment = Arena.ofAuto().allocate(bytes.length);
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, segment, 0, bytes.length);
        return segment.asReadOnly();
    }

    private static EncodedResponse encode(int status, String headerLines, byte[] body) {
        String head = HTTP_VERSION + status + " " + REASONS.getOrDefault(status, "") + "\r\n" + headerLines;
        byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream out = new ByteArrayOutputStream(headBytes.length + CRLF.length + body.length);
        out.writeBytes(headBytes);
        out.writeBytes(CRLF);
        out.writeBytes(body);
        return new EncodedResponse(status, toNative(out.toByteArray()), headBytes.length);
    }
}
