package dev.isthmus.http1;

/** Reason phrases (RFC 9110 §15), pre-encoded with their leading space, for the statuses a proxy sends itself. */
final class ReasonPhrase {
    private static final int STATUS_LIMIT = 600;
    private static final byte[] NONE = FieldFacts.ascii(" ");
    private static final byte[][] BY_STATUS = new byte[STATUS_LIMIT][];

    static {
        put(100, "Continue");
        put(101, "Switching Protocols");
        put(200, "OK");
        put(201, "Created");
        put(204, "No Content");
        put(301, "Moved Permanently");
        put(302, "Found");
        put(304, "Not Modified");
        put(307, "Temporary Redirect");
        put(308, "Permanent Redirect");
        put(400, "Bad Request");
        put(401, "Unauthorized");
        put(403, "Forbidden");
        put(404, "Not Found");
        put(405, "Method Not Allowed");
        put(408, "Request Timeout");
        put(411, "Length Required");
        put(413, "Content Too Large");
        put(414, "URI Too Long");
        put(417, "Expectation Failed");
        put(426, "Upgrade Required");
        put(429, "Too Many Requests");
        put(431, "Request Header Fields Too Large");
        put(500, "Internal Server Error");
        put(501, "Not Implemented");
        put(502, "Bad Gateway");
        put(503, "Service Unavailable");
        put(504, "Gateway Timeout");
        put(505, "HTTP Version Not Supported");
    }

    private ReasonPhrase() {
    }

    /** {@code SP reason} for a known status; just {@code SP} (an empty reason, which RFC 9112 §4 allows) otherwise. */
    static byte[] of(int status) {
        byte[] phrase = status < STATUS_LIMIT ? BY_STATUS[status] : null;
        return phrase == null ? NONE : phrase;
    }

    private static void put(int status, String reason) {
        BY_STATUS[status] = FieldFacts.ascii(" " + reason);
    }
}
