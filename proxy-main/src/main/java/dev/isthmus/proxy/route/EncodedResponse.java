package dev.isthmus.proxy.route;

import java.lang.foreign.MemorySegment;

/**
 * A complete HTTP/1.1 response encoded once at route-table compile time.
 *
 * @param status     the status code
 * @param bytes      status line, header lines, empty line, body (read-only native memory)
 * @param headersEnd offset of the empty line that ends the head
 */
record EncodedResponse(int status, MemorySegment bytes, long headersEnd) {
}
