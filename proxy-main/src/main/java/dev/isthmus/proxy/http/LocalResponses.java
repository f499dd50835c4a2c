package dev.isthmus.proxy.http;

import dev.isthmus.http1.GatherList;
import dev.isthmus.http1.HttpMethod;
import dev.isthmus.http1.HttpVersion;
import dev.isthmus.http1.Rejection;
import dev.isthmus.http1.RequestHead;
import dev.isthmus.http1.ResponseWriter;
import dev.isthmus.http1.TraceReflection;
import dev.isthmus.proxy.route.Route;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * The bytes of the responses the proxy gives itself instead of forwarding: a route's pre-encoded direct response or
 * redirect, the final recipient's answer to an OPTIONS or TRACE with no hops left, the 4xx for a request the codec
 * rejected, and the short text error responses. It only composes them; when they go out and whether the connection
 * closes afterwards is the {@link ClientConnection}'s decision. One per listener per reactor, shared by its
 * connections (a reactor handles one event at a time). Confined to the reactor thread.
 */
final class LocalResponses {
    static final int STATUS_OK = 200;

    private static final MemorySegment CONNECTION_CLOSE_LINE =
            Arena.global().allocateFrom("Connection: close\r\n", StandardCharsets.US_ASCII);
    private static final long CONNECTION_CLOSE_LENGTH = CONNECTION_CLOSE_LINE.byteSize() - 1;
    private static final MemorySegment CONNECTION_KEEP_ALIVE_LINE =
            Arena.global().allocateFrom("Connection: keep-alive\r\n", StandardCharsets.US_ASCII);
    private static final long CONNECTION_KEEP_ALIVE_LENGTH = CONNECTION_KEEP_ALIVE_LINE.byteSize() - 1;
    private static final byte[] TEXT_PLAIN = "text/plain; charset=utf-8".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONTENT_TYPE = "Content-Type".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATE = "Date".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MESSAGE_HTTP = "message/http".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONNECTION = "Connection".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] KEEP_ALIVE = "keep-alive".getBytes(StandardCharsets.US_ASCII);

    private final ResponseWriter responseWriter = new ResponseWriter();
    private final TraceReflection traceReflection = new TraceReflection();
    private final GatherWriter writer;
    private final MemorySegment scratch;
    private final GatherList gather;
    private final HttpDate date;
    private long bodyLength;

    /** {@code writer}, {@code scratch} and {@code gather} are the worker's, shared with the forwarding path. */
    LocalResponses(GatherWriter writer, MemorySegment scratch, GatherList gather, HttpDate date) {
        this.writer = writer;
        this.scratch = scratch;
        this.gather = gather;
        this.date = date;
    }

    /** The body length of the response composed last, as the client gets it (none for HEAD): for the access log. */
    long bodyLength() {
        return bodyLength;
    }

    /**
     * A route's pre-encoded response (a direct response, a redirect, or the ready 404) with the Date line and, when
     * {@code close}, {@code Connection: close}; an HTTP/1.0 client that keeps its connection is told so. No body for
     * HEAD.
     */
    GatherWriter routeResponse(Route route, HttpMethod method, HttpVersion version, boolean close) {
        MemorySegment response = route.response();
        long headersEnd = route.responseHeadersEnd();
        long end = method == HttpMethod.HEAD ? route.responseBodyOffset() : response.byteSize();
        MemorySegment dateLine = date.line();
        GatherWriter out = writer.begin().add(response, 0, headersEnd).add(dateLine, 0, dateLine.byteSize());
        if (close) {
            out.add(CONNECTION_CLOSE_LINE, 0, CONNECTION_CLOSE_LENGTH);
        } else if (version == HttpVersion.HTTP_1_0) {
            out.add(CONNECTION_KEEP_ALIVE_LINE, 0, CONNECTION_KEEP_ALIVE_LENGTH);
        }
        out.add(response, headersEnd, end - headersEnd);
        bodyLength = end - route.responseBodyOffset();
        return out;
    }

    /**
     * RFC 9110 §7.6.2: a TRACE or OPTIONS request with no hops left is answered as its final recipient would:
     * OPTIONS with an empty 200, TRACE with the request reflected as {@code message/http} (§9.3.8). The status is
     * {@link #STATUS_OK}.
     */
    GatherWriter finalRecipientAnswer(RequestHead head, HttpVersion version, boolean close) {
        boolean trace = head.method() == HttpMethod.TRACE;
        long contentLength = trace ? traceReflection.reflect(head, scratch, gather) : 0;
        ResponseWriter response = responseWriter.start(scratch, 0, scratch.byteSize(), STATUS_OK);
        if (trace) {
            response.header(CONTENT_TYPE, MESSAGE_HTTP);
        }
        response.header(DATE, date.value());
        if (!close && version == HttpVersion.HTTP_1_0) {
            response.header(CONNECTION, KEEP_ALIVE);
        }
        long headBytes = response.finishHead(contentLength, close);
        GatherWriter out = writer.begin().add(scratch, 0, headBytes);
        if (trace) {
            out.add(gather);
        }
        bodyLength = contentLength;
        return out;
    }

    /**
     * The codec's 4xx or 5xx for a request it rejected, written into {@code out}; its length, or negative.
     * {@code method} is null when the request-line did not parse; a HEAD gets no content, as in {@link #error}.
     */
    long rejection(MemorySegment out, Rejection rejection, HttpMethod method) {
        long n = responseWriter.writeRejection(out, 0, out.byteSize(), rejection, date.value());
        return withContentUnlessHead(method, n, ResponseWriter.rejectionBodyLength(rejection));
    }

    /**
     * A short text error response with {@code reason} as its body, written into {@code out}; its length, or
     * negative when it does not fit. RFC 9110 §9.3.2: no content in a response to HEAD, though its Content-Length
     * still says what GET would get.
     */
    long error(MemorySegment out, int status, String reason, HttpMethod method, boolean close) {
        byte[] body = (reason + "\n").getBytes(StandardCharsets.UTF_8);
        long n = responseWriter.start(out, 0, out.byteSize(), status)
                .header(CONTENT_TYPE, TEXT_PLAIN)
                .header(DATE, date.value())
                .finish(body, close);
        return withContentUnlessHead(method, n, body.length);
    }

    /**
     * The length to send of a response of {@code n} bytes (negative: it did not fit) that ends in {@code content}
     * bytes of content: all of them, or for a HEAD the head alone. Sets {@link #bodyLength} to match.
     */
    private long withContentUnlessHead(HttpMethod method, long n, int content) {
        boolean head = method == HttpMethod.HEAD;
        bodyLength = head ? 0 : content;
        return head && n > 0 ? n - content : n;
    }
}
