package dev.isthmus.proxy.http;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code reject_encoded_slashes}: an origin that decodes {@code %2F} or {@code %5C} into a separator would read
 * {@code /private%2Fx} as {@code /private/x}, which no route here saw, so a listener may refuse such paths. A
 * listener without the rule forwards them as they came.
 */
@Timeout(60)
final class HttpEncodedSlashTest {
    @RegisterExtension
    final ProxyFixture fixture = new ProxyFixture();

    private HttpTestOrigin origin;

    @BeforeEach
    void start() throws Exception {
        origin = fixture.origin("o");
        fixture.start("""
                workers: 1
                listeners:
                  - name: web
                    address: 127.0.0.1:0
                    reject_encoded_slashes: true
                    routes:
                      - match: { prefix: /private/ }
                        direct_response: { status: 403, body: "private\\n" }
                      - match: { prefix: / }
                        cluster: o
                  - name: plain
                    address: 127.0.0.1:0
                    routes:
                      - match: { prefix: / }
                        cluster: o
                clusters:
                  - { name: o, endpoints: [127.0.0.1:%d] }
                """.formatted(origin.port()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/private%2Fx", "/private%2fx", "/%2Fprivate/x", "/private%5Cx", "/a%5cb",
            "http://h.test/private%2Fx"})
    void aPathWithAnEncodedSlashOrBackslashIsRefusedAndNeverForwarded(String target) throws IOException {
        RawClient client = fixture.client();
        client.send(RawClient.head("GET", target));
        ErrorResponses.assertError(client.read("GET"), 400);
        client.assertClosedByPeer();
        assertTrue(origin.requests().isEmpty(), () -> "the origin saw " + origin.requests());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/a%252Fb", "/a%2Eb", "/a?next=%2Fhome", "/a%3Fb"})
    void otherEncodingsAndTheQueryPass(String target) throws IOException {
        assertEquals(200, fixture.client().get(target).status(), target);
        assertEquals(1, origin.requests().size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/private%2Fx", "/a%5Cb"})
    void aListenerWithoutTheRuleForwardsThePathAsItCame(String target) throws IOException {
        RawClient client = fixture.closeLater(RawClient.connect(fixture.proxy().port("plain")));
        assertEquals("o GET " + target + "\n", client.get(target).bodyText());
    }
}
