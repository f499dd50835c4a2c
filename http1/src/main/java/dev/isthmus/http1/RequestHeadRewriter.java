package dev.isthmus.http1;

import java.lang.foreign.MemorySegment;

/**
 * Turns a parsed request head into the head a proxy sends upstream, as a {@link GatherList}: hop-by-hop fields and
 * those named in Connection dropped, the target prefix and Host rewritten, X-Forwarded-For appended to,
 * X-Forwarded-Proto set, Via appended and the version made the proxy's own HTTP/1.1; everything else is referenced,
 * not copied. Owned by one thread (a reactor), reused: set the options for a message, call {@link #rewrite}, then
 * {@link #clearOptions()} or set new ones.
 *
 * <p>Option byte arrays are referenced until the next rewrite, never copied at configuration time, so routes and
 * connections can keep pre-encoded values and a rewrite allocates nothing.
 */
public final class RequestHeadRewriter {
    /** Bytes a request-line ends with after its target: {@code SP HTTP/1.x CRLF}. */
    private static final int REQUEST_LINE_TAIL = 1 + VersionSyntax.LENGTH + 2;
    private static final byte[] HTTP_1_1_TAIL = FieldFacts.ascii(" HTTP/1.1\r\n");
    private static final int FINAL_CRLF = 2;
    private static final byte[] HOST = FieldFacts.ascii("Host");
    private static final byte[] X_FORWARDED_FOR = FieldFacts.ascii("X-Forwarded-For");
    private static final byte[] X_FORWARDED_PROTO = FieldFacts.ascii("X-Forwarded-Proto");
    private static final byte[] X_FORWARDED_FOR_LOWER = FieldFacts.ascii("x-forwarded-for");
    private static final byte[] X_FORWARDED_PROTO_LOWER = FieldFacts.ascii("x-forwarded-proto");
    private static final byte[] CONNECTION = FieldFacts.ascii("Connection");
    private static final byte[] MAX_FORWARDS = FieldFacts.ascii("Max-Forwards");
    private static final byte[] UPGRADE = FieldFacts.ascii("upgrade");
    private static final byte[] LIST_SEPARATOR = FieldFacts.ascii(", ");
    private static final byte[] ROOT = FieldFacts.ascii("/");

    private final SliceWriter writer = new SliceWriter();
    private int prefixLength = -1;
    private byte[] prefixReplacement;
    private byte[] host;
    private byte[] forwardedFor;
    private byte[] forwardedProto;
    private boolean allowUpgrade = true;
    private byte[] via;
    private long maxForwards = MaxForwards.NONE;

    /** Forgets every option: the next rewrite only drops hop-by-hop fields. */
    public RequestHeadRewriter clearOptions() {
        prefixLength = -1;
        prefixReplacement = null;
        host = null;
        forwardedFor = null;
        forwardedProto = null;
        allowUpgrade = true;
        via = null;
        maxForwards = MaxForwards.NONE;
        return this;
    }

    /**
     * Replaces the value of the request's Max-Forwards field with {@code remaining}, the hops left after this one
     * (RFC 9110 §7.6.2: the value read by {@link MaxForwards#of} minus one); {@link MaxForwards#NONE} leaves it.
     */
    public RequestHeadRewriter maxForwards(long remaining) {
        this.maxForwards = remaining;
        return this;
    }

    /**
     * Appends {@code Via: 1.x pseudonym}, as RFC 9110 §7.6.3 requires of a proxy for every message it forwards (it
     * also lets a forwarding loop be seen). The existing Via lines stay before it, so the list stays in hop order.
     */
    public RequestHeadRewriter via(byte[] pseudonym) {
        this.via = pseudonym;
        return this;
    }

    /** Replaces the first {@code matchedLength} bytes of the target (the route prefix the caller matched). */
    public RequestHeadRewriter prefixRewrite(int matchedLength, byte[] replacement) {
        if (matchedLength < 0) {
            throw new IllegalArgumentException("matched prefix length " + matchedLength);
        }
        this.prefixLength = matchedLength;
        this.prefixReplacement = replacement;
        return this;
    }

    /** Replaces the Host value (adds Host if the request had none). */
    public RequestHeadRewriter hostRewrite(byte[] hostValue) {
        this.host = hostValue;
        return this;
    }

    /** Appends the client address to X-Forwarded-For, or adds the field. */
    public RequestHeadRewriter forwardedFor(byte[] clientAddress) {
        this.forwardedFor = clientAddress;
        return this;
    }

    /** Sets X-Forwarded-Proto, replacing whatever the client sent. */
    public RequestHeadRewriter forwardedProto(byte[] proto) {
        this.forwardedProto = proto;
        return this;
    }

    /**
     * Whether an upgrade request keeps Upgrade (and gets {@code Connection: upgrade}); true by default. When false the
     * request goes on as a plain one, Upgrade dropped.
     */
    public RequestHeadRewriter allowUpgrade(boolean allow) {
        this.allowUpgrade = allow;
        return this;
    }

    /**
     * Writes the rewritten head of {@code head} into {@code out}, new bytes going to {@code scratch} from
     * {@code scratchOffset} within {@code scratchCapacity} bytes. Returns the scratch bytes used, or -1 if they did
     * not fit (then {@code out} is unusable). The body is not part of the list.
     */
    public long rewrite(RequestHead head, MemorySegment scratch, long scratchOffset, long scratchCapacity, GatherList out) {
        HeaderFields f = head.headers();
        writer.begin(out, head.segment(), scratch, scratchOffset, scratchCapacity);
        requestLine(head);
        boolean upgrading = allowUpgrade && head.upgradeRequested();
        boolean namesFields = head.connectionNamesFields();
        int lastForwardedFor = lastKeptIndexOf(f, KnownHeader.X_FORWARDED_FOR, namesFields);
        boolean normalizeLength = head.framing() == Framing.CONTENT_LENGTH
                && !f.plainContentLength(head.contentLength());
        boolean normalizeCoding = head.framing() == Framing.CHUNKED && !f.plainChunked();
        // RFC 9110 §10.1.1: a 100-continue expectation in HTTP/1.0 is ignored, and it goes on as HTTP/1.1.
        boolean dropExpect = head.version() == HttpVersion.HTTP_1_0;
        for (int i = 0; i < f.count(); i++) {
            long line = f.nameOffset(i);
            boolean keptUpgrade = upgrading && f.is(i, KnownHeader.UPGRADE);
            if (HopByHop.fixed(f, i, upgrading) || (namesFields && !keptUpgrade && HopByHop.namedInConnection(f, i))
                    || (forwardedProto != null && f.is(i, KnownHeader.X_FORWARDED_PROTO))
                    || (dropExpect && f.is(i, KnownHeader.EXPECT))
                    || isForwardingAlias(f, i)) {
                continue;
            }
            if (host != null && f.is(i, KnownHeader.HOST)) {
                writer.field(HOST, host);
            } else if (writer.plainFramingField(f, i, normalizeLength, head.contentLength(), normalizeCoding)) {
                continue;
            } else if (maxForwards != MaxForwards.NONE && f.is(i, KnownHeader.MAX_FORWARDS)) {
                writer.field(MAX_FORWARDS, maxForwards);
            } else if (forwardedFor != null && i == lastForwardedFor) {
                writer.original(line, f.valueOffset(i) + f.valueLength(i) - line);
                if (f.valueLength(i) > 0) {
                    writer.bytes(LIST_SEPARATOR);
                }
                writer.bytes(forwardedFor);
                writer.crlf();
            } else {
                writer.original(line, f.lineEndOffset(i) - line);
            }
        }
        if (host != null && f.indexOf(KnownHeader.HOST) < 0) {
            writer.field(HOST, host);
        }
        if (forwardedFor != null && lastForwardedFor < 0) {
            writer.field(X_FORWARDED_FOR, forwardedFor);
        }
        if (forwardedProto != null) {
            writer.field(X_FORWARDED_PROTO, forwardedProto);
        }
        if (via != null) {
            writer.via(head.version(), via);
        }
        if (upgrading) {
            writer.field(CONNECTION, UPGRADE);
        }
        writer.original(head.offset() + head.length() - FINAL_CRLF, FINAL_CRLF);
        return writer.finish();
    }

    /**
     * The request-line with the target's prefix rewritten and the proxy's own version: an intermediary forwards
     * with its own HTTP-version (RFC 9110 §6.2), so an HTTP/1.0 request goes on as HTTP/1.1 (persistent, and able to
     * receive chunked coding, which the response side removes again for the HTTP/1.0 client).
     */
    private void requestLine(RequestHead head) {
        long lineStart = head.requestLineOffset();
        long target = head.targetOffset();
        long targetEnd = target + head.targetLength();
        if (prefixLength < 0) {
            writer.original(lineStart, targetEnd - lineStart);
        } else {
            if (prefixLength > head.targetLength()) {
                throw new IllegalArgumentException("matched prefix of " + prefixLength + " bytes is longer than the "
                        + head.targetLength() + "-byte target");
            }
            writer.original(lineStart, target - lineStart);
            boolean emptyTarget = prefixReplacement.length == 0 && prefixLength == head.targetLength();
            // An empty request-target is not HTTP; stripping a whole path leaves the root.
            writer.bytes(emptyTarget ? ROOT : prefixReplacement);
            writer.original(target + prefixLength, targetEnd - target - prefixLength);
        }
        if (VersionSyntax.isHttp11(head.segment(), targetEnd + 1)) {
            writer.original(targetEnd, REQUEST_LINE_TAIL);
        } else {
            writer.bytes(HTTP_1_1_TAIL);
        }
    }

    /**
     * The last field named {@code header} that is forwarded: one that Connection names is dropped, and the proxy's
     * own value must then go in a field of its own, not vanish with it.
     */
    private static int lastKeptIndexOf(HeaderFields f, KnownHeader header, boolean namesFields) {
        int last = -1;
        for (int i = f.indexOf(header); i >= 0 && i < f.count(); i++) {
            if (f.is(i, header) && !(namesFields && HopByHop.namedInConnection(f, i))) {
                last = i;
            }
        }
        return last;
    }

    /**
     * {@code X_Forwarded_For} or {@code X_Forwarded_Proto} from the client: an origin that reads it as the field the
     * proxy sets could take the client's word for its address or scheme, so it does not go on.
     */
    private boolean isForwardingAlias(HeaderFields f, int i) {
        return (forwardedFor != null && f.isUnderscoreAlias(i, X_FORWARDED_FOR_LOWER))
                || (forwardedProto != null && f.isUnderscoreAlias(i, X_FORWARDED_PROTO_LOWER));
    }
}
