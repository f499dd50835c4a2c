package dev.isthmus.proxy.http;

import dev.isthmus.http1.GatherList;
import dev.isthmus.http1.HttpMethod;
import dev.isthmus.http1.HttpVersion;
import dev.isthmus.http1.KnownHeader;
import dev.isthmus.http1.MaxForwards;
import dev.isthmus.http1.RequestHead;
import dev.isthmus.http1.RequestHeadRewriter;
import dev.isthmus.http1.ResponseHead;
import dev.isthmus.http1.ResponseHeadRewriter;
import dev.isthmus.proxy.route.Route;
import dev.isthmus.proxy.route.Span;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * What the proxy changes, as an intermediary (RFC 9110 §7.6), in the heads it passes on. A request gets
 * X-Forwarded-For and X-Forwarded-Proto, Via, Max-Forwards decremented, Upgrade only when the connection may become a
 * WebSocket tunnel, its target rewritten (normalized path, the route's prefix rewrite, absolute-form cut to
 * origin-form) and a Host; a response gets Via, a Date when it came without one, keep-alive announced to an
 * HTTP/1.0 client, and its chunked coding dropped when it is de-chunked. Each head is rewritten into the worker's
 * scratch memory and gather list, ready for one {@code writev}; the connection decides what else goes with it. One
 * per listener per reactor, shared by its connections. Confined to the reactor thread.
 */
final class ForwardedHeads {
    /** How the proxy names itself in the Via field of every message it forwards (RFC 9110 §7.6.3). */
    private static final byte[] VIA_PSEUDONYM = "isthmus".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PROTO_HTTP = "http".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ROOT = "/".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NOTHING = new byte[0];
    private static final byte[] ASTERISK = "*".getBytes(StandardCharsets.US_ASCII);

    private final RequestHeadRewriter requestRewriter = new RequestHeadRewriter();
    private final ResponseHeadRewriter responseRewriter = new ResponseHeadRewriter().via(VIA_PSEUDONYM);
    private final ParsedRequest view;
    private final HttpDate date;
    private final MemorySegment scratch;
    private final GatherList gather;

    /** {@code view}, {@code scratch} and {@code gather} are the worker's, shared with the local responses. */
    ForwardedHeads(ParsedRequest view, HttpDate date, MemorySegment scratch, GatherList gather) {
        this.view = view;
        this.date = date;
        this.scratch = scratch;
        this.gather = gather;
    }

    /**
     * Rewrites {@code head} for the upstream {@code route} forwards it to; {@code endpointHost} is the Host for a
     * request that has none. Returns the scratch bytes used, or a negative value when the head no longer fits.
     */
    long request(RequestHead head, Route route, byte[] clientIp, boolean allowUpgrade, byte[] endpointHost) {
        long hopsLeft = MaxForwards.of(head);
        requestRewriter.clearOptions().forwardedFor(clientIp).forwardedProto(PROTO_HTTP)
                .via(VIA_PSEUDONYM)
                .allowUpgrade(allowUpgrade)
                .maxForwards(hopsLeft == MaxForwards.NONE ? MaxForwards.NONE : hopsLeft - 1);
        if (!isAsteriskForm(head)) {
            rewriteTarget(head, route);
        }
        if (route.hasHostRewrite()) {
            requestRewriter.hostRewrite(route.hostRewriteBytes());
        } else if (head.headers().indexOf(KnownHeader.HOST) < 0 && !isAbsoluteForm(head)) {
            // An HTTP/1.0 request without Host goes on as HTTP/1.1, which must carry one: name the endpoint, as
            // nginx does for every request by default (an empty Host is refused by nginx and others).
            requestRewriter.hostRewrite(endpointHost);
        }
        return requestRewriter.rewrite(head, scratch, 0, scratch.byteSize(), gather);
    }

    /** Rewrites a 1xx response for the client; negative when it does not fit. */
    long interim(ResponseHead head) {
        responseRewriter.announceKeepAlive(false).dropTransferEncoding(false).date(null);
        return responseRewriter.rewrite(head, false, scratch, 0, scratch.byteSize(), gather);
    }

    /**
     * Rewrites a final response head for a client of {@code clientVersion}, {@code close} announcing the end of the
     * connection. Negative when it does not fit. An HTTP/1.0 client gets no Transfer-Encoding (RFC 9112 §6.1): the
     * caller de-chunks a chunked body for it and refuses any other coding.
     */
    long response(ResponseHead head, HttpVersion clientVersion, boolean close) {
        boolean http10 = clientVersion == HttpVersion.HTTP_1_0;
        responseRewriter.announceKeepAlive(http10).dropTransferEncoding(http10)
                .date(head.headers().indexOf(KnownHeader.DATE) < 0 ? date.value() : null);
        return responseRewriter.rewrite(head, close, scratch, 0, scratch.byteSize(), gather);
    }

    private static boolean isAbsoluteForm(RequestHead head) {
        byte first = head.segment().get(ValueLayout.JAVA_BYTE, head.targetOffset());
        return first != '/' && first != '*';
    }

    /** {@code OPTIONS *} names the server, not a path: no prefix rewrite applies to it. */
    private static boolean isAsteriskForm(RequestHead head) {
        return head.segment().get(ValueLayout.JAVA_BYTE, head.targetOffset()) == '*';
    }

    /**
     * The target that goes upstream: the received path, or the normalized one when the listener normalizes paths and
     * this one changed; the route's prefix rewritten; and an absolute-form target cut to origin-form (RFC 9112
     * §3.2.1), its authority becoming the Host (§3.2.2). Allocates only for absolute-form targets (the authority's
     * bytes) and normalized paths.
     */
    private void rewriteTarget(RequestHead head, Route route) {
        ParsedRequest request = view.of(head);
        long received = request.receivedPath();
        int schemeAndAuthority = (int) (Span.offset(received) - head.targetOffset());
        byte[] normalized = request.normalizedPath();
        if (normalized != null) {
            byte[] path = route.hasPrefixRewrite()
                    ? withPrefix(route.prefixRewriteBytes(), normalized, route.rewrittenPrefixLength())
                    : normalized;
            requestRewriter.prefixRewrite(schemeAndAuthority + Span.length(received), path);
        } else if (route.hasPrefixRewrite()) {
            // A target without a path matched as "/": the rewrite takes the place of the path that is not there.
            int matched = Span.length(received) == 0 ? 0 : route.rewrittenPrefixLength();
            requestRewriter.prefixRewrite(schemeAndAuthority + matched, route.prefixRewriteBytes());
        } else if (schemeAndAuthority > 0) {
            requestRewriter.prefixRewrite(schemeAndAuthority, Span.length(received) > 0 ? NOTHING
                    : isServerWideOptions(head, schemeAndAuthority) ? ASTERISK : ROOT);
        }
        if (schemeAndAuthority > 0) {
            long authority = request.host();
            requestRewriter.hostRewrite(head.segment()
                    .asSlice(Span.offset(authority), Span.length(authority)).toArray(ValueLayout.JAVA_BYTE));
        }
    }

    /**
     * RFC 9112 §3.2.4: an absolute-form OPTIONS with neither path nor query asks about the server itself, and goes to
     * it as {@code OPTIONS *}.
     */
    private static boolean isServerWideOptions(RequestHead head, int schemeAndAuthority) {
        return head.method() == HttpMethod.OPTIONS && schemeAndAuthority == head.targetLength();
    }

    private static byte[] withPrefix(byte[] prefix, byte[] path, int replaced) {
        byte[] joined = new byte[prefix.length + path.length - replaced];
        System.arraycopy(prefix, 0, joined, 0, prefix.length);
        System.arraycopy(path, replaced, joined, prefix.length, path.length - replaced);
        return joined;
    }
}
