package dev.isthmus.proxy.http;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What every error response of the proxy must look like (issue 4): small, framed, and saying why. */
final class ErrorResponses {
    /** An error page is a line of text, not a document. */
    static final int MAX_ERROR_RESPONSE_BYTES = 1024;

    private ErrorResponses() {
    }

    /** The status, a Content-Length-framed non-empty body, and the whole response under a KiB. */
    static void assertError(RawResponse response, int status) {
        assertEquals(status, response.status(), () -> "response was:\n" + response);
        assertNotNull(response.header("Content-Length"), () -> "error responses are framed by length:\n" + response);
        assertFalse(response.bodyText().isBlank(), () -> "the body should say why:\n" + response);
        assertTrue(response.head().raw().length + response.body().length <= MAX_ERROR_RESPONSE_BYTES,
                () -> "error responses are small:\n" + response);
    }

    /**
     * After an error response the connection either ends, and then the response said {@code Connection: close}, or
     * it stays usable for the next request.
     */
    static void assertConnectionHonest(RawResponse response, RawClient client, String nextTarget) throws IOException {
        if (response.closes()) {
            client.assertClosedByPeer();
        } else {
            RawResponse next = client.get(nextTarget);
            assertTrue(next.status() > 0, () -> "the connection stayed open, so it must still serve: " + next);
        }
    }
}
